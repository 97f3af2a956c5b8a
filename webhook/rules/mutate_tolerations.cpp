#include "webhook/rules/mutate_tolerations.h"

#include <string>
#include <vector>

#include "webhook/rules/mutate_scope.h"

namespace migwarden::rules {
namespace {

using admission::JsonPointer;

// Kubernetes treats an empty operator as Equal.
std::string_view normalizedOperator(std::string_view op) { return op.empty() ? std::string_view("Equal") : op; }

bool sameToleration(const admission::Toleration& have, const policy::Toleration& want) {
  return have.key == want.key && normalizedOperator(have.operator_) == normalizedOperator(want.op) &&
         have.value == want.value && have.effect == want.effect && !have.tolerationSeconds.has_value();
}

bool samePolicyToleration(const policy::Toleration& a, const policy::Toleration& b) {
  return a.key == b.key && normalizedOperator(a.op) == normalizedOperator(b.op) && a.value == b.value &&
         a.effect == b.effect;
}

std::string tolerationJson(const policy::Toleration& t) {
  std::string out = "{";
  auto field = [&](std::string_view name, const std::string& value) {
    if (value.empty()) return;
    if (out.size() > 1) out += ',';
    out += admission::jsonStringLiteral(name) + ":" + admission::jsonStringLiteral(value);
  };
  field("key", t.key);
  field("operator", t.op);
  field("value", t.value);
  field("effect", t.effect);
  return out + "}";
}

class TolerationsMutation final : public admission::Rule {
 public:
  explicit TolerationsMutation(const RuleDeps& deps) : deps_(deps) {}
  std::string_view id() const override { return kRuleMutateTolerations; }

  Status evaluate(const admission::ReviewContext& context, admission::Decision& decision) const override {
    auto scope = mutationScope(context, deps_.policies);
    if (!scope.ok()) return scope.status();
    if (!scope->has_value() || !(*scope)->isGpuPod()) return Status::Ok();
    const MutationScope& s = **scope;
    bool mig = false, whole = false;
    for (const ContainerGpuRequest& r : s.gpu.perContainer) {
      mig = mig || isMigResource(r.resource);
      whole = whole || r.resource == kWholeGpuResource;
    }
    const policy::Mutation& m = s.policy->data().mutation;
    std::vector<policy::Toleration> missing;
    auto consider = [&](const std::vector<policy::Toleration>& list) {
      for (const policy::Toleration& want : list) {
        bool present = false;
        for (const admission::Toleration& have : s.pod->tolerations) present = present || sameToleration(have, want);
        for (const policy::Toleration& queued : missing) present = present || samePolicyToleration(queued, want);
        if (!present) missing.push_back(want);
      }
    };
    if (mig) consider(m.migSliceTolerations);
    if (whole) consider(m.wholeGpuTolerations);
    if (missing.empty()) return Status::Ok();

    JsonPointer path = JsonPointer::of({"spec", "tolerations"});
    const rapidjson::Value* existing = admission::resolve(*s.object, path);
    if (existing == nullptr || !existing->IsArray()) {
      std::string array = "[";
      for (size_t i = 0; i < missing.size(); ++i) {
        if (i > 0) array += ',';
        array += tolerationJson(missing[i]);
      }
      decision.patch.add(path, array + "]");
    } else {
      for (const policy::Toleration& t : missing) decision.patch.add(path.append(), tolerationJson(t));
    }
    return Status::Ok();
  }

 private:
  const RuleDeps& deps_;
};

}  // namespace

std::unique_ptr<const admission::Rule> makeTolerationsMutation(const RuleDeps& deps) {
  return std::make_unique<TolerationsMutation>(deps);
}

}  // namespace migwarden::rules
