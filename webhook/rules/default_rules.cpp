#include "webhook/rules/default_rules.h"

#include "webhook/rules/binding_rules.h"
#include "webhook/rules/pod_mutation.h"
#include "webhook/rules/pod_validation.h"

namespace migwarden::rules {

std::vector<std::unique_ptr<const admission::Rule>> makeDefaultRules(const RuleDeps& deps) {
  std::vector<std::unique_ptr<const admission::Rule>> all;
  // Validation before the binding reservation: a pod that fails validation never
  // reaches the ledger, and the binding rule does not reserve for a denied request.
  for (auto* group : {&makePodMutationRules, &makePodValidationRules, &makeBindingRules})
    for (auto& rule : (*group)(deps)) all.push_back(std::move(rule));
  return all;
}

}  // namespace migwarden::rules
