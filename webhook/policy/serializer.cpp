#include "webhook/policy/serializer.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>

namespace migwarden::policy {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void key(Writer& w, const char* k) { w.Key(k); }
void str(Writer& w, const char* k, const std::string& v) {
  w.Key(k);
  w.String(v.data(), static_cast<rapidjson::SizeType>(v.size()));
}
void strIfSet(Writer& w, const char* k, const std::string& v) {
  if (!v.empty()) str(w, k, v);
}
void num(Writer& w, const char* k, uint32_t v) {
  w.Key(k);
  w.Uint(v);
}
void strArray(Writer& w, const char* k, const std::vector<std::string>& v) {
  w.Key(k);
  w.StartArray();
  for (const auto& s : v) w.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
  w.EndArray();
}

void writeProfile(Writer& w, const MigProfile& p) {
  w.StartObject();
  str(w, "name", p.name);
  str(w, "resourceName", p.resourceName);
  num(w, "computeSlices", p.computeSlices);
  num(w, "memorySlices", p.memorySlices);
  num(w, "memoryGB", p.memoryGB);
  num(w, "maxInstances", p.maxInstances);
  if (p.profileId) num(w, "profileId", *p.profileId);
  if (!p.placements.empty()) {
    key(w, "placementStarts");
    w.StartArray();
    for (const auto& pl : p.placements) w.Uint(pl.start);
    w.EndArray();
  }
  strIfSet(w, "note", p.note);
  w.EndObject();
}

void writeGpu(Writer& w, const GpuModel& g) {
  w.StartObject();
  str(w, "id", g.id);
  strIfSet(w, "description", g.description);
  strIfSet(w, "architecture", g.architecture);
  strArray(w, "productNames", g.productNames);
  key(w, "pciDeviceIds");
  w.StartArray();
  for (uint32_t id : g.pciDeviceIds) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08X", id);
    w.String(buf);
  }
  w.EndArray();
  str(w, "computeCapability", g.computeCapability.toString());
  if (g.memoryGB) num(w, "memoryGB", g.memoryGB);
  num(w, "memorySlices", g.memorySlices);
  num(w, "computeSlices", g.computeSlices);
  num(w, "maxGpuInstances", g.maxGpuInstances);
  if (!g.migMinDriver.empty()) str(w, "migMinDriver", g.migMinDriver.toString());
  key(w, "migProfiles");
  w.StartArray();
  for (const auto& p : g.migProfiles) writeProfile(w, p);
  w.EndArray();
  w.EndObject();
}

void writeCuda(Writer& w, const CudaTable& t) {
  w.StartObject();
  key(w, "releases");
  w.StartArray();
  for (const auto& r : t.releases) {
    w.StartObject();
    str(w, "version", r.version.toString());
    str(w, "label", r.label);
    str(w, "linuxMinDriver", r.linuxMinDriver.toString());
    if (r.preRelease) {
      key(w, "preRelease");
      w.Bool(true);
    }
    strIfSet(w, "note", r.note);
    w.EndObject();
  }
  w.EndArray();
  key(w, "allowMinorVersionCompatibility");
  w.Bool(t.allowMinorVersionCompatibility);
  key(w, "minorVersionCompatibility");
  w.StartArray();
  for (const auto& f : t.minorVersionCompatibility) {
    w.StartObject();
    num(w, "cudaMajor", f.cudaMajor);
    str(w, "minDriver", f.minDriver.toString());
    w.EndObject();
  }
  w.EndArray();
  key(w, "architectures");
  w.StartArray();
  for (const auto& a : t.architectures) {
    w.StartObject();
    str(w, "name", a.name);
    key(w, "computeCapabilities");
    w.StartArray();
    for (const auto& cc : a.computeCapabilities) w.String(cc.toString().c_str());
    w.EndArray();
    str(w, "firstCuda", a.firstCuda.toString());
    if (a.lastCudaMajor) num(w, "lastCudaMajor", *a.lastCudaMajor);
    strIfSet(w, "note", a.note);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
}

void writeEnv(Writer& w, const char* k, const std::vector<EnvVar>& env) {
  key(w, k);
  w.StartArray();
  for (const auto& e : env) {
    w.StartObject();
    str(w, "name", e.name);
    str(w, "value", e.value);
    w.EndObject();
  }
  w.EndArray();
}

void writeTolerations(Writer& w, const char* k, const std::vector<Toleration>& tols) {
  key(w, k);
  w.StartArray();
  for (const auto& t : tols) {
    w.StartObject();
    strIfSet(w, "key", t.key);
    str(w, "operator", t.op);
    strIfSet(w, "value", t.value);
    strIfSet(w, "effect", t.effect);
    w.EndObject();
  }
  w.EndArray();
}

void writeMutation(Writer& w, const Mutation& m) {
  w.StartObject();
  key(w, "env");
  w.StartObject();
  writeEnv(w, "migSlice", m.migSliceEnv);
  writeEnv(w, "wholeGpu", m.wholeGpuEnv);
  writeEnv(w, "noGpu", m.noGpuEnv);
  w.EndObject();
  key(w, "ncclOnMig");
  w.StartObject();
  writeEnv(w, "env", m.ncclOnMigEnv);
  num(w, "minCudaDriverMajor", m.ncclOnMigMinCudaDriverMajor);
  w.EndObject();
  key(w, "tolerations");
  w.StartObject();
  writeTolerations(w, "migSlice", m.migSliceTolerations);
  writeTolerations(w, "wholeGpu", m.wholeGpuTolerations);
  w.EndObject();
  const NodeLabels& n = m.nodeLabels;
  key(w, "nodeLabels");
  w.StartObject();
  str(w, "product", n.product);
  str(w, "driverMajor", n.driverMajor);
  str(w, "driverMinor", n.driverMinor);
  str(w, "driverRevision", n.driverRevision);
  str(w, "migCapable", n.migCapable);
  str(w, "migStrategy", n.migStrategy);
  str(w, "migConfigState", n.migConfigState);
  w.EndObject();
  w.EndObject();
}

void writeEnforcement(Writer& w, const Enforcement& e) {
  w.StartObject();
  str(w, "defaultAction", std::string(actionName(e.defaultAction)));
  key(w, "rules");
  w.StartArray();
  for (const auto& r : e.rules) {
    w.StartObject();
    str(w, "id", r.id);
    strIfSet(w, "description", r.description);
    if (r.action) str(w, "action", std::string(actionName(*r.action)));
    w.EndObject();
  }
  w.EndArray();
  key(w, "overrides");
  w.StartArray();
  for (const auto& o : e.overrides) {
    w.StartObject();
    if (!o.rules.empty()) strArray(w, "rules", o.rules);
    str(w, "action", std::string(actionName(o.action)));
    if (!o.namespaces.empty()) strArray(w, "namespaces", o.namespaces);
    if (o.matchLabels) {
      key(w, "namespaceSelector");
      w.StartObject();
      key(w, "matchLabels");
      w.StartObject();
      for (const auto& [k, v] : *o.matchLabels) str(w, k.c_str(), v);
      w.EndObject();
      w.EndObject();
    }
    w.EndObject();
  }
  w.EndArray();
  strArray(w, "ignoredNamespaces", e.ignoredNamespaces);
  w.EndObject();
}

}  // namespace

std::string serializeCanonical(const PolicyData& data) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  num(w, "formatVersion", data.formatVersion);
  str(w, "name", data.name);
  key(w, "gpus");
  w.StartArray();
  for (const auto& g : data.gpus) writeGpu(w, g);
  w.EndArray();
  key(w, "cuda");
  writeCuda(w, data.cuda);
  const CudaDeclaration& d = data.cudaDeclaration;
  key(w, "cudaDeclaration");
  w.StartObject();
  str(w, "annotation", d.annotation);
  str(w, "label", d.label);
  str(w, "requireEnv", d.requireEnv);
  str(w, "disableRequireEnv", d.disableRequireEnv);
  key(w, "imageRules");
  w.StartArray();
  for (const auto& r : d.imageRules) {
    w.StartObject();
    str(w, "match", r.match);
    str(w, "cudaVersion", r.cudaVersion);
    w.EndObject();
  }
  w.EndArray();
  w.EndObject();
  key(w, "mutation");
  writeMutation(w, data.mutation);
  key(w, "enforcement");
  writeEnforcement(w, data.enforcement);
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace migwarden::policy
