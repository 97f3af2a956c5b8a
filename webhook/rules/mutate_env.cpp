#include "webhook/rules/mutate_env.h"

#include <string>
#include <vector>

#include "webhook/rules/mutate_scope.h"

namespace migwarden::rules {
namespace {

using admission::Container;
using admission::JsonPointer;

// The policy's variables for this container, first occurrence of a name wins.
std::vector<policy::EnvVar> wantedEnv(const MutationScope& scope, const Container& c) {
  const policy::Mutation& m = scope.policy->data().mutation;
  std::vector<const std::vector<policy::EnvVar>*> lists;
  bool mig = scope.containerUsesMig(c);
  bool whole = scope.containerUsesWholeGpu(c);
  if (mig) {
    lists.push_back(&m.migSliceEnv);
    lists.push_back(&m.ncclOnMigEnv);
  }
  if (whole) lists.push_back(&m.wholeGpuEnv);
  if (!mig && !whole) lists.push_back(&m.noGpuEnv);
  std::vector<policy::EnvVar> out;
  for (const auto* list : lists)
    for (const policy::EnvVar& v : *list) {
      bool seen = false;
      for (const policy::EnvVar& o : out) seen = seen || o.name == v.name;
      if (!seen) out.push_back(v);
    }
  return out;
}

std::string envEntryJson(const policy::EnvVar& v) {
  return "{\"name\":" + admission::jsonStringLiteral(v.name) + ",\"value\":" + admission::jsonStringLiteral(v.value) +
         "}";
}

class GpuEnvMutation final : public admission::Rule {
 public:
  explicit GpuEnvMutation(const RuleDeps& deps) : deps_(deps) {}
  std::string_view id() const override { return kRuleMutateGpuEnv; }

  Status evaluate(const admission::ReviewContext& context, admission::Decision& decision) const override {
    auto scope = mutationScope(context, deps_.policies);
    if (!scope.ok()) return scope.status();
    if (!scope->has_value()) return Status::Ok();
    const MutationScope& s = **scope;
    for (const Container& c : s.pod->initContainers) mutateContainer(s, c, decision);
    for (const Container& c : s.pod->containers) mutateContainer(s, c, decision);
    return Status::Ok();
  }

 private:
  void mutateContainer(const MutationScope& s, const Container& c, admission::Decision& decision) const {
    std::optional<JsonPointer> at = containerPointer(*s.pod, c);
    if (!at) return;
    bool gpuContainer = s.gpu.requestsGpu(c);
    std::vector<policy::EnvVar> missing;
    for (const policy::EnvVar& v : wantedEnv(s, c)) {
      const admission::EnvVar* own = c.findEnv(v.name);
      if (own == nullptr) {
        missing.push_back(v);
      } else if (gpuContainer && own->value != v.value) {
        std::string theirs = own->value ? "\"" + *own->value + "\""
                                        : "from " + std::string(admission::envSourceKindName(own->valueFrom));
        decision.warn("migwarden " + std::string(kRuleMutateGpuEnv) + ": container \"" + c.name + "\": " + v.name +
                      " is " + theirs + "; the policy sets \"" + v.value + "\" for this GPU resource; left unchanged");
      }
    }
    if (missing.empty()) return;
    if (gpuContainer && !c.envFrom.empty()) {
      // env wins over envFrom in Kubernetes, and the webhook cannot see ConfigMap/Secret
      // contents: say which names now take precedence.
      std::string names;
      for (const auto& v : missing) {
        if (!names.empty()) names += ", ";
        names += v.name;
      }
      decision.warn("migwarden " + std::string(kRuleMutateGpuEnv) + ": container \"" + c.name + "\": added " + names +
                    " to env; these take precedence over the same names in envFrom");
    }
    JsonPointer envPath = at->child("env");
    const rapidjson::Value* env = admission::resolve(*s.object, envPath);
    if (env == nullptr || !env->IsArray()) {
      // Absent or null: one add creates the array (an add on a null member replaces it).
      std::string array = "[";
      for (size_t i = 0; i < missing.size(); ++i) {
        if (i > 0) array += ',';
        array += envEntryJson(missing[i]);
      }
      array += "]";
      decision.patch.add(envPath, std::move(array));
      return;
    }
    for (const policy::EnvVar& v : missing) decision.patch.add(envPath.append(), envEntryJson(v));
  }

  const RuleDeps& deps_;
};

}  // namespace

std::unique_ptr<const admission::Rule> makeGpuEnvMutation(const RuleDeps& deps) {
  return std::make_unique<GpuEnvMutation>(deps);
}

}  // namespace migwarden::rules
