// Typed view of a core/v1 Pod with what the GPU admission rules need. Fields the rules
// do not use are not decoded; enum-like strings (toleration operator, node selector
// operator) are kept as text and not validated: the apiserver validates them, and a
// mutating webhook must not refuse what Kubernetes would accept.
//
// Lifetime: Pod::affinity points into the AdmissionReview document it was decoded from.
// Thread-safety: value type (read-only sharing is safe).
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/admission/object_meta.h"
#include "webhook/admission/quantity.h"
#include "webhook/common/status.h"

namespace migwarden::admission {

using ResourceList = std::map<std::string, Quantity, std::less<>>;

// Where an env var's value comes from (EnvVarSource); kNone for a literal `value`.
enum class EnvSourceKind { kNone, kFieldRef, kResourceFieldRef, kConfigMapKeyRef, kSecretKeyRef, kFileKeyRef, kOther };
std::string_view envSourceKindName(EnvSourceKind kind);

struct EnvVar {
  std::string name;
  std::optional<std::string> value;
  EnvSourceKind valueFrom = EnvSourceKind::kNone;
  std::string valueFromName;  // configMapKeyRef/secretKeyRef name, fieldRef fieldPath, ...
};

struct EnvFromSource {
  std::string kind;  // "ConfigMap" or "Secret"
  std::string name;
  std::string prefix;
};

struct VolumeMount {
  std::string name;
  std::string mountPath;
  bool readOnly = false;
};

enum class ContainerType { kContainer, kInit, kEphemeral };
std::string_view containerTypeName(ContainerType type);  // "container", "initContainer", ...

struct Container {
  ContainerType type = ContainerType::kContainer;
  std::string name;
  std::string image;
  std::vector<EnvVar> env;
  std::vector<EnvFromSource> envFrom;
  ResourceList limits;
  ResourceList requests;
  std::optional<bool> privileged;  // securityContext.privileged
  std::vector<VolumeMount> volumeMounts;

  // `container "train": resources.limits["nvidia.com/mig-1g.10gb"]` (for error messages).
  std::string resourceField(std::string_view list, std::string_view resource) const;
  // The env var of this name, or nullptr.
  const EnvVar* findEnv(std::string_view envName) const;
};

struct Volume {
  std::string name;
  std::optional<std::string> hostPath;  // hostPath.path
};

struct Toleration {
  std::string key;
  std::string operator_;  // "Exists" / "Equal" / "" (kept as sent)
  std::string value;
  std::string effect;
  std::optional<int64_t> tolerationSeconds;
};

struct NodeSelectorRequirement {
  std::string key;
  std::string operator_;  // In, NotIn, Exists, DoesNotExist, Gt, Lt (kept as sent)
  std::vector<std::string> values;
};

struct NodeSelectorTerm {
  std::vector<NodeSelectorRequirement> matchExpressions;
  std::vector<NodeSelectorRequirement> matchFields;
};

struct Pod {
  ObjectMeta metadata;
  std::vector<Container> containers;
  std::vector<Container> initContainers;
  std::vector<Container> ephemeralContainers;
  std::vector<Volume> volumes;
  std::string nodeName;
  std::map<std::string, std::string> nodeSelector;
  // spec.affinity as sent (nullptr when absent); the required node-affinity terms typed.
  const rapidjson::Value* affinity = nullptr;
  std::vector<NodeSelectorTerm> requiredNodeAffinity;
  std::vector<Toleration> tolerations;
  std::string runtimeClassName;
  std::string schedulerName;
  std::string priorityClassName;

  // Visits init, regular and ephemeral containers (in that order).
  void forEachContainer(const std::function<void(const Container&)>& visit) const;
};

// Decodes the Pod at `object` (path e.g. "request.object"). Errors name the JSON path,
// e.g. `request.object.spec.containers[0].resources.limits["nvidia.com/gpu"]: invalid quantity "x": ...`.
Result<Pod> decodePod(const rapidjson::Value& object, std::string_view path);

}  // namespace migwarden::admission
