#include "webhook/rules/pod_mutation.h"

#include "webhook/rules/mutate_affinity.h"
#include "webhook/rules/mutate_annotations.h"
#include "webhook/rules/mutate_env.h"
#include "webhook/rules/mutate_tolerations.h"

namespace migwarden::rules {

std::vector<std::unique_ptr<const admission::Rule>> makePodMutationRules(const RuleDeps& deps) {
  std::vector<std::unique_ptr<const admission::Rule>> rules;
  rules.push_back(makeGpuEnvMutation(deps));
  rules.push_back(makeTolerationsMutation(deps));
  rules.push_back(makeNodeAffinityMutation(deps));
  rules.push_back(makeAnnotationsMutation(deps));
  return rules;
}

}  // namespace migwarden::rules
