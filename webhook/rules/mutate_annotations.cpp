#include "webhook/rules/mutate_annotations.h"

#include "webhook/rules/mutate_node_requirements.h"
#include "webhook/rules/mutate_scope.h"

namespace migwarden::rules {
namespace {

class AnnotationsMutation final : public admission::Rule {
 public:
  explicit AnnotationsMutation(const RuleDeps& deps) : deps_(deps) {}
  std::string_view id() const override { return kRuleMutateAnnotations; }

  Status evaluate(const admission::ReviewContext& context, admission::Decision& decision) const override {
    auto scope = mutationScope(context, deps_.policies);
    if (!scope.ok()) return scope.status();
    if (!scope->has_value() || !(*scope)->isGpuPod()) return Status::Ok();
    const MutationScope& s = **scope;
    const auto annotations = admission::JsonPointer::of({"metadata", "annotations"});
    MIGWARDEN_RETURN_IF_ERROR(
        decision.patch.setString(*s.object, annotations, kAnnotationPolicyDigest, s.policy->digest()));
    MIGWARDEN_RETURN_IF_ERROR(decision.patch.setString(*s.object, annotations, kAnnotationMutated, "true"));
    if (auto cuda = declaredCudaVersion(*s.policy, *s.pod, s.gpu))
      MIGWARDEN_RETURN_IF_ERROR(
          decision.patch.setString(*s.object, annotations, kAnnotationResolvedCuda, cuda->toString()));
    return Status::Ok();
  }

 private:
  const RuleDeps& deps_;
};

}  // namespace

std::unique_ptr<const admission::Rule> makeAnnotationsMutation(const RuleDeps& deps) {
  return std::make_unique<AnnotationsMutation>(deps);
}

}  // namespace migwarden::rules
