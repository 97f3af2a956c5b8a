// Decoding of the typed Pod view (see pod.h).
#include "webhook/admission/pod.h"

#include "webhook/admission/object_reader.h"
#include "webhook/common/json_util.h"

namespace migwarden::admission {
namespace {

using detail::forEachObject;
using detail::JsonPath;
using detail::ObjectReader;
using detail::view;

Status decodeResourceList(const ObjectReader& resources, std::string_view key, ResourceList& out) {
  const rapidjson::Value* list = nullptr;
  MIGWARDEN_RETURN_IF_ERROR(resources.object(key, list));
  if (list == nullptr) return Status::Ok();
  for (const auto& m : list->GetObject()) {
    if (m.value.IsNull()) continue;
    Result<Quantity> q = Quantity::fromJson(m.value);
    if (!q.ok()) {
      JsonPath listPath = resources.child(key);
      return q.status().withContext(JsonPath::mapKey(listPath, view(m.name)).str());
    }
    out.emplace(std::string(view(m.name)), std::move(q).value());
  }
  return Status::Ok();
}

Status decodeEnvVar(const ObjectReader& r, EnvVar& out) {
  MIGWARDEN_RETURN_IF_ERROR(r.string("name", out.name));
  if (const rapidjson::Value* v = r.find("value")) {
    if (!v->IsString()) return r.typeError("value", "string", *v);
    out.value.emplace(view(*v));
  }
  const rapidjson::Value* from = nullptr;
  MIGWARDEN_RETURN_IF_ERROR(r.object("valueFrom", from));
  if (from == nullptr) return Status::Ok();
  JsonPath fromPath = r.child("valueFrom");
  ObjectReader f(*from, fromPath);
  // Kubernetes validation allows exactly one source; we record the first in this order
  // and do not second-guess the apiserver's validation.
  static constexpr std::pair<std::string_view, EnvSourceKind> kSources[] = {
      {"secretKeyRef", EnvSourceKind::kSecretKeyRef}, {"configMapKeyRef", EnvSourceKind::kConfigMapKeyRef},
      {"fieldRef", EnvSourceKind::kFieldRef},         {"resourceFieldRef", EnvSourceKind::kResourceFieldRef},
      {"fileKeyRef", EnvSourceKind::kFileKeyRef},
  };
  out.valueFrom = EnvSourceKind::kOther;
  for (const auto& [key, kind] : kSources) {
    const rapidjson::Value* src = nullptr;
    MIGWARDEN_RETURN_IF_ERROR(f.object(key, src));
    if (src == nullptr) continue;
    out.valueFrom = kind;
    JsonPath srcPath = f.child(key);
    ObjectReader s(*src, srcPath);
    std::string_view nameKey = kind == EnvSourceKind::kFieldRef           ? "fieldPath"
                               : kind == EnvSourceKind::kResourceFieldRef ? "resource"
                               : kind == EnvSourceKind::kFileKeyRef       ? "volumeName"
                                                                          : "name";
    MIGWARDEN_RETURN_IF_ERROR(s.string(nameKey, out.valueFromName));
    break;
  }
  return Status::Ok();
}

Status decodeContainer(const ObjectReader& r, ContainerType type, Container& c) {
  c.type = type;
  MIGWARDEN_RETURN_IF_ERROR(r.string("name", c.name));
  MIGWARDEN_RETURN_IF_ERROR(r.string("image", c.image));
  MIGWARDEN_RETURN_IF_ERROR(forEachObject(r, "env", [&](const ObjectReader& e) {
    EnvVar var;
    MIGWARDEN_RETURN_IF_ERROR(decodeEnvVar(e, var));
    c.env.push_back(std::move(var));
    return Status::Ok();
  }));
  MIGWARDEN_RETURN_IF_ERROR(forEachObject(r, "envFrom", [&](const ObjectReader& e) {
    EnvFromSource src;
    MIGWARDEN_RETURN_IF_ERROR(e.string("prefix", src.prefix));
    for (std::string_view key : {"configMapRef", "secretRef"}) {
      const rapidjson::Value* ref = nullptr;
      MIGWARDEN_RETURN_IF_ERROR(e.object(key, ref));
      if (ref == nullptr) continue;
      src.kind = key == "configMapRef" ? "ConfigMap" : "Secret";
      JsonPath refPath = e.child(key);
      MIGWARDEN_RETURN_IF_ERROR(ObjectReader(*ref, refPath).string("name", src.name));
      break;
    }
    c.envFrom.push_back(std::move(src));
    return Status::Ok();
  }));
  const rapidjson::Value* resources = nullptr;
  MIGWARDEN_RETURN_IF_ERROR(r.object("resources", resources));
  if (resources != nullptr) {
    JsonPath resPath = r.child("resources");
    ObjectReader res(*resources, resPath);
    MIGWARDEN_RETURN_IF_ERROR(decodeResourceList(res, "limits", c.limits));
    MIGWARDEN_RETURN_IF_ERROR(decodeResourceList(res, "requests", c.requests));
  }
  const rapidjson::Value* sc = nullptr;
  MIGWARDEN_RETURN_IF_ERROR(r.object("securityContext", sc));
  if (sc != nullptr) {
    JsonPath scPath = r.child("securityContext");
    bool privileged = false;
    ObjectReader s(*sc, scPath);
    if (s.find("privileged") != nullptr) {
      MIGWARDEN_RETURN_IF_ERROR(s.boolean("privileged", privileged));
      c.privileged = privileged;
    }
  }
  return forEachObject(r, "volumeMounts", [&](const ObjectReader& m) {
    VolumeMount mount;
    MIGWARDEN_RETURN_IF_ERROR(m.string("name", mount.name));
    MIGWARDEN_RETURN_IF_ERROR(m.string("mountPath", mount.mountPath));
    MIGWARDEN_RETURN_IF_ERROR(m.boolean("readOnly", mount.readOnly));
    c.volumeMounts.push_back(std::move(mount));
    return Status::Ok();
  });
}

Status decodeContainers(const ObjectReader& spec, std::string_view key, ContainerType type,
                        std::vector<Container>& out) {
  return forEachObject(spec, key, [&](const ObjectReader& r) {
    Container c;
    MIGWARDEN_RETURN_IF_ERROR(decodeContainer(r, type, c));
    out.push_back(std::move(c));
    return Status::Ok();
  });
}

Status decodeRequirements(const ObjectReader& term, std::string_view key, std::vector<NodeSelectorRequirement>& out) {
  return forEachObject(term, key, [&](const ObjectReader& r) {
    NodeSelectorRequirement req;
    MIGWARDEN_RETURN_IF_ERROR(r.string("key", req.key));
    MIGWARDEN_RETURN_IF_ERROR(r.string("operator", req.operator_));
    MIGWARDEN_RETURN_IF_ERROR(r.stringList("values", req.values));
    out.push_back(std::move(req));
    return Status::Ok();
  });
}

Status decodeAffinity(const ObjectReader& spec, Pod& pod) {
  MIGWARDEN_RETURN_IF_ERROR(spec.object("affinity", pod.affinity));
  if (pod.affinity == nullptr) return Status::Ok();
  JsonPath affinityPath = spec.child("affinity");
  const rapidjson::Value* nodeAffinity = nullptr;
  MIGWARDEN_RETURN_IF_ERROR(ObjectReader(*pod.affinity, affinityPath).object("nodeAffinity", nodeAffinity));
  if (nodeAffinity == nullptr) return Status::Ok();
  JsonPath naPath(affinityPath, "nodeAffinity");
  ObjectReader na(*nodeAffinity, naPath);
  const rapidjson::Value* required = nullptr;
  MIGWARDEN_RETURN_IF_ERROR(na.object("requiredDuringSchedulingIgnoredDuringExecution", required));
  if (required == nullptr) return Status::Ok();
  JsonPath reqPath = na.child("requiredDuringSchedulingIgnoredDuringExecution");
  return forEachObject(ObjectReader(*required, reqPath), "nodeSelectorTerms", [&](const ObjectReader& t) {
    NodeSelectorTerm term;
    MIGWARDEN_RETURN_IF_ERROR(decodeRequirements(t, "matchExpressions", term.matchExpressions));
    MIGWARDEN_RETURN_IF_ERROR(decodeRequirements(t, "matchFields", term.matchFields));
    pod.requiredNodeAffinity.push_back(std::move(term));
    return Status::Ok();
  });
}

Status decodeSpec(const ObjectReader& spec, Pod& pod) {
  MIGWARDEN_RETURN_IF_ERROR(decodeContainers(spec, "initContainers", ContainerType::kInit, pod.initContainers));
  MIGWARDEN_RETURN_IF_ERROR(decodeContainers(spec, "containers", ContainerType::kContainer, pod.containers));
  MIGWARDEN_RETURN_IF_ERROR(
      decodeContainers(spec, "ephemeralContainers", ContainerType::kEphemeral, pod.ephemeralContainers));
  MIGWARDEN_RETURN_IF_ERROR(forEachObject(spec, "volumes", [&](const ObjectReader& r) {
    Volume v;
    MIGWARDEN_RETURN_IF_ERROR(r.string("name", v.name));
    const rapidjson::Value* hostPath = nullptr;
    MIGWARDEN_RETURN_IF_ERROR(r.object("hostPath", hostPath));
    if (hostPath != nullptr) {
      JsonPath hpPath = r.child("hostPath");
      std::string p;
      MIGWARDEN_RETURN_IF_ERROR(ObjectReader(*hostPath, hpPath).string("path", p));
      v.hostPath = std::move(p);
    }
    pod.volumes.push_back(std::move(v));
    return Status::Ok();
  }));
  MIGWARDEN_RETURN_IF_ERROR(spec.string("nodeName", pod.nodeName));
  MIGWARDEN_RETURN_IF_ERROR(spec.stringMap("nodeSelector", pod.nodeSelector));
  MIGWARDEN_RETURN_IF_ERROR(decodeAffinity(spec, pod));
  MIGWARDEN_RETURN_IF_ERROR(forEachObject(spec, "tolerations", [&](const ObjectReader& r) {
    Toleration t;
    MIGWARDEN_RETURN_IF_ERROR(r.string("key", t.key));
    MIGWARDEN_RETURN_IF_ERROR(r.string("operator", t.operator_));
    MIGWARDEN_RETURN_IF_ERROR(r.string("value", t.value));
    MIGWARDEN_RETURN_IF_ERROR(r.string("effect", t.effect));
    if (const rapidjson::Value* s = r.find("tolerationSeconds")) {
      if (!s->IsInt64()) return r.typeError("tolerationSeconds", "integer", *s);
      t.tolerationSeconds = s->GetInt64();
    }
    pod.tolerations.push_back(std::move(t));
    return Status::Ok();
  }));
  MIGWARDEN_RETURN_IF_ERROR(spec.string("runtimeClassName", pod.runtimeClassName));
  MIGWARDEN_RETURN_IF_ERROR(spec.string("schedulerName", pod.schedulerName));
  return spec.string("priorityClassName", pod.priorityClassName);
}

}  // namespace

std::string_view envSourceKindName(EnvSourceKind kind) {
  switch (kind) {
    case EnvSourceKind::kNone:
      return "value";
    case EnvSourceKind::kFieldRef:
      return "fieldRef";
    case EnvSourceKind::kResourceFieldRef:
      return "resourceFieldRef";
    case EnvSourceKind::kConfigMapKeyRef:
      return "configMapKeyRef";
    case EnvSourceKind::kSecretKeyRef:
      return "secretKeyRef";
    case EnvSourceKind::kFileKeyRef:
      return "fileKeyRef";
    case EnvSourceKind::kOther:
      return "other";
  }
  return "other";
}

std::string_view containerTypeName(ContainerType type) {
  switch (type) {
    case ContainerType::kContainer:
      return "container";
    case ContainerType::kInit:
      return "initContainer";
    case ContainerType::kEphemeral:
      return "ephemeralContainer";
  }
  return "container";
}

std::string Container::resourceField(std::string_view list, std::string_view resource) const {
  std::string out(containerTypeName(type));
  out += " \"";
  out += name;
  out += "\": resources.";
  out += list;
  out += "[\"";
  out += resource;
  out += "\"]";
  return out;
}

const EnvVar* Container::findEnv(std::string_view envName) const {
  for (const EnvVar& e : env)
    if (e.name == envName) return &e;
  return nullptr;
}

void Pod::forEachContainer(const std::function<void(const Container&)>& visit) const {
  for (const Container& c : initContainers) visit(c);
  for (const Container& c : containers) visit(c);
  for (const Container& c : ephemeralContainers) visit(c);
}

Result<Pod> decodePod(const rapidjson::Value& object, std::string_view path) {
  if (!object.IsObject()) return json::typeError(path, "object", object);
  Pod pod;
  JsonPath rootPath(path);
  MIGWARDEN_RETURN_IF_ERROR(detail::decodeObjectMeta(object, rootPath, pod.metadata));
  ObjectReader root(object, rootPath);
  const rapidjson::Value* spec = nullptr;
  MIGWARDEN_RETURN_IF_ERROR(root.object("spec", spec));
  if (spec == nullptr) return Status::InvalidArgument(root.path("spec") + ": required");
  JsonPath specPath = root.child("spec");
  MIGWARDEN_RETURN_IF_ERROR(decodeSpec(ObjectReader(*spec, specPath), pod));
  return pod;
}

}  // namespace migwarden::admission
