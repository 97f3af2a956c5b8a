#include "tests/agent/fake_nvml/fake_nvml_config.h"

#include <rapidjson/document.h>
#include <rapidjson/error/en.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace migwarden::fakenvml {
namespace {

using rapidjson::Value;

// Test-only parser: a std::runtime_error naming the field unwinds to parseConfig.
[[noreturn]] void fail(const std::string& path, const std::string& what) {
  throw std::runtime_error(path + ": " + what);
}

std::string join(const std::string& path, const std::string& key) {
  return path.empty() ? key : path + "." + key;
}

const Value* member(const Value& object, const char* key) {
  auto it = object.FindMember(key);
  return it == object.MemberEnd() || it->value.IsNull() ? nullptr : &it->value;
}

unsigned long long toInteger(const Value& v, const std::string& path) {
  if (v.IsUint64()) return v.GetUint64();
  if (v.IsString()) {
    char* end = nullptr;
    unsigned long long n = std::strtoull(v.GetString(), &end, 0);
    if (end != v.GetString() && *end == '\0') return n;
  }
  fail(path, "must be a non-negative integer");
}

template <typename T>
void readInt(const Value& object, const char* key, const std::string& path, T& out) {
  if (const Value* v = member(object, key)) out = static_cast<T>(toInteger(*v, join(path, key)));
}

void readString(const Value& object, const char* key, const std::string& path, std::string& out,
                bool required = false) {
  const Value* v = member(object, key);
  if (v == nullptr) {
    if (required) fail(join(path, key), "is required");
    return;
  }
  if (!v->IsString()) fail(join(path, key), "must be a string");
  out = v->GetString();
}

template <typename F>
void forEach(const Value& object, const char* key, const std::string& path, F&& f) {
  const Value* v = member(object, key);
  if (v == nullptr) return;
  if (v->IsObject() && std::string(key) == "failAt") {
    f(*v, join(path, key));
    return;
  }
  if (!v->IsArray()) fail(join(path, key), "must be an array");
  for (rapidjson::SizeType i = 0; i < v->Size(); ++i) {
    const std::string at = join(path, key) + "[" + std::to_string(i) + "]";
    if (!(*v)[i].IsObject()) fail(at, "must be an object");
    f((*v)[i], at);
  }
}

unsigned int migModeValue(const Value& mode, const char* key, const std::string& path) {
  std::string text = "disabled";
  readString(mode, key, path, text);
  if (text == "enabled") return 1;
  if (text == "disabled") return 0;
  fail(join(path, key), "must be \"enabled\" or \"disabled\"");
}

Gpu parseGpu(const Value& g, const std::string& path) {
  Gpu gpu;
  readString(g, "uuid", path, gpu.uuid, true);
  readString(g, "name", path, gpu.name);
  readInt(g, "pciDeviceId", path, gpu.pciDeviceId);
  std::string cc = std::to_string(gpu.ccMajor) + "." + std::to_string(gpu.ccMinor);
  readString(g, "computeCapability", path, cc);
  if (std::sscanf(cc.c_str(), "%d.%d", &gpu.ccMajor, &gpu.ccMinor) != 2) {
    fail(path + ".computeCapability", "must look like \"8.0\"");
  }
  readInt(g, "memoryMiB", path, gpu.memoryMiB);
  if (const Value* mode = member(g, "migMode")) {
    if (!mode->IsObject()) fail(path + ".migMode", "must be an object");
    gpu.migCapable = true;
    gpu.migCurrent = migModeValue(*mode, "current", path + ".migMode");
    gpu.migPending = mode->HasMember("pending") ? migModeValue(*mode, "pending", path + ".migMode") : gpu.migCurrent;
    gpu.maxMigDevices = 7;
  }
  readInt(g, "maxMigDevices", path, gpu.maxMigDevices);
  readInt(g, "supportedEventTypes", path, gpu.supportedEventTypes);
  forEach(g, "giProfiles", path, [&](const Value& p, const std::string& at) {
    GiProfile profile;
    readInt(p, "profile", at, profile.profile);
    readInt(p, "id", at, profile.id);
    readInt(p, "sliceCount", at, profile.sliceCount);
    readInt(p, "memorySizeMB", at, profile.memorySizeMB);
    gpu.giProfiles.push_back(profile);
  });
  forEach(g, "ciProfiles", path, [&](const Value& p, const std::string& at) {
    CiProfile profile;
    readInt(p, "profile", at, profile.profile);
    readInt(p, "id", at, profile.id);
    readInt(p, "sliceCount", at, profile.sliceCount);
    gpu.ciProfiles.push_back(profile);
  });
  forEach(g, "migDevices", path, [&](const Value& m, const std::string& at) {
    MigDevice mig;
    mig.slot = static_cast<unsigned int>(gpu.migDevices.size());
    readString(m, "uuid", at, mig.uuid, true);
    readInt(m, "slot", at, mig.slot);
    readInt(m, "gi", at, mig.gi);
    readInt(m, "ci", at, mig.ci);
    readInt(m, "giProfileId", at, mig.giProfileId);
    readInt(m, "ciProfileId", at, mig.ciProfileId);
    if (const Value* placement = member(m, "placement")) {
      if (!placement->IsObject()) fail(at + ".placement", "must be an object");
      readInt(*placement, "start", at + ".placement", mig.placementStart);
      readInt(*placement, "size", at + ".placement", mig.placementSize);
    }
    gpu.migDevices.push_back(mig);
  });
  return gpu;
}

}  // namespace

bool parseConfig(const std::string& text, Config& out, std::string& error) {
  rapidjson::Document doc;
  doc.Parse(text.c_str(), text.size());
  if (doc.HasParseError()) {
    error = std::string("invalid JSON at offset ") + std::to_string(doc.GetErrorOffset()) + ": " +
            rapidjson::GetParseError_En(doc.GetParseError());
    return false;
  }
  if (!doc.IsObject()) {
    error = "top level must be an object";
    return false;
  }
  try {
    Config config;
    readString(doc, "driverVersion", "", config.driverVersion);
    readInt(doc, "cudaDriverVersion", "", config.cudaDriverVersion);
    forEach(doc, "gpus", "", [&](const Value& g, const std::string& at) { config.gpus.push_back(parseGpu(g, at)); });
    forEach(doc, "events", "", [&](const Value& e, const std::string& at) {
      Event event;
      event.id = std::string("#").append(std::to_string(config.events.size()));
      readString(e, "id", at, event.id);
      readInt(e, "gpu", at, event.gpu);
      readInt(e, "type", at, event.type);
      readInt(e, "xid", at, event.xid);
      readInt(e, "gi", at, event.gi);
      readInt(e, "ci", at, event.ci);
      config.events.push_back(event);
    });
    forEach(doc, "failAt", "", [&](const Value& f, const std::string& at) {
      Failure failure;
      readString(f, "call", at, failure.call, true);
      readInt(f, "nth", at, failure.nth);
      readInt(f, "error", at, failure.error);
      config.failures.push_back(failure);
    });
    out = std::move(config);
    return true;
  } catch (const std::runtime_error& e) {
    error = e.what();
    return false;
  }
}

}  // namespace migwarden::fakenvml
