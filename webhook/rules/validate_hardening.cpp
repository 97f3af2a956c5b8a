#include "webhook/rules/validate_hardening.h"

#include "webhook/rules/enforcement.h"
#include "webhook/rules/validate_subject.h"

namespace migwarden::rules {
namespace {

std::string containerLabel(const admission::Container& c) {
  return std::string(admission::containerTypeName(c.type)) + " " + quoted(c.name);
}

bool isDeviceEnv(std::string_view name) {
  for (auto n : kDeviceEnvNames)
    if (n == name) return true;
  return false;
}

// An envFrom prefix can make a source's keys into one of the device names only when the
// prefix is itself a leading part of such a name.
bool prefixCouldMakeDeviceEnv(std::string_view prefix) {
  for (auto n : kDeviceEnvNames)
    if (n.substr(0, prefix.size()) == prefix) return true;
  return false;
}

class DeviceEnvHardening final : public admission::Rule {
 public:
  explicit DeviceEnvHardening(const RuleDeps& deps) : deps_(deps) {}
  std::string_view id() const override { return "device-env-hardening"; }

  Status evaluate(const admission::ReviewContext& context, admission::Decision& decision) const override {
    auto subject = subjectFor(context, deps_.policies);
    if (!subject.ok() || !*subject) return Status::Ok();
    const ValidationSubject& s = **subject;
    s.pod->forEachContainer([&](const admission::Container& c) {
      bool requestsGpu = s.gpu.ok() && s.gpu->requestsGpu(c);
      for (const auto& env : c.env) {
        if (!isDeviceEnv(env.name)) continue;
        // The mutating webhook's own injection into containers without GPUs.
        if (!requestsGpu && env.name == "NVIDIA_VISIBLE_DEVICES" && env.valueFrom == admission::EnvSourceKind::kNone &&
            env.value && *env.value == "void")
          continue;
        std::string how = env.valueFrom == admission::EnvSourceKind::kNone
                              ? "is set to " + quoted(env.value.value_or(""))
                              : "is set from " + std::string(admission::envSourceKindName(env.valueFrom));
        report(*s.policy, id(), context, decision,
               containerLabel(c) + ": env " + env.name + " " + how +
                   "; GPU device selection belongs to the device plugin, not the pod");
      }
      for (const auto& from : c.envFrom) {
        if (!prefixCouldMakeDeviceEnv(from.prefix)) continue;
        decision.warn("migwarden " + std::string(id()) + ": " + containerLabel(c) + ": envFrom " + from.kind + " " +
                      quoted(from.name) +
                      " may set device variables (its keys are not visible)");
      }
    });
    return Status::Ok();
  }

 private:
  const RuleDeps deps_;
};

class PrivilegedGpu final : public admission::Rule {
 public:
  explicit PrivilegedGpu(const RuleDeps& deps) : deps_(deps) {}
  std::string_view id() const override { return "privileged-gpu"; }

  Status evaluate(const admission::ReviewContext& context, admission::Decision& decision) const override {
    auto subject = subjectFor(context, deps_.policies);
    if (!subject.ok() || !*subject) return Status::Ok();
    const ValidationSubject& s = **subject;
    if (s.gpuPod()) {
      s.pod->forEachContainer([&](const admission::Container& c) {
        if (c.privileged.value_or(false))
          report(*s.policy, id(), context, decision,
                 containerLabel(c) +
                     ": securityContext.privileged is true in a GPU pod; a privileged container sees every GPU "
                     "on the node");
      });
    }
    for (size_t i = 0; i < s.pod->volumes.size(); ++i) {
      const auto& v = s.pod->volumes[i];
      if (!v.hostPath || !isNvidiaDevicePath(*v.hostPath)) continue;
      report(*s.policy, id(), context, decision,
             "volume " + quoted(v.name) + ": hostPath " + quoted(*v.hostPath) +
                 " exposes NVIDIA device nodes directly, bypassing the device plugin");
    }
    return Status::Ok();
  }

 private:
  // /dev/nvidia*, and "/" or "/dev", which contain them; repeated and trailing slashes
  // are normalized away.
  static bool isNvidiaDevicePath(std::string_view path) {
    std::string p;
    for (char ch : path)
      if (!(ch == '/' && !p.empty() && p.back() == '/')) p += ch;
    while (p.size() > 1 && p.back() == '/') p.pop_back();
    return p == "/" || p == "/dev" || p.rfind("/dev/nvidia", 0) == 0;
  }
  const RuleDeps deps_;
};

}  // namespace

std::unique_ptr<const admission::Rule> makeDeviceEnvHardeningRule(const RuleDeps& deps) {
  return std::make_unique<DeviceEnvHardening>(deps);
}
std::unique_ptr<const admission::Rule> makePrivilegedGpuRule(const RuleDeps& deps) {
  return std::make_unique<PrivilegedGpu>(deps);
}

}  // namespace migwarden::rules
