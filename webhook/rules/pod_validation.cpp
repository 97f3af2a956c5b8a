#include "webhook/rules/pod_validation.h"

#include "webhook/rules/validate_feasibility.h"
#include "webhook/rules/validate_hardening.h"
#include "webhook/rules/validate_ledger.h"
#include "webhook/rules/validate_shape.h"

namespace migwarden::rules {

std::vector<std::unique_ptr<const admission::Rule>> makePodValidationRules(const RuleDeps& deps) {
  std::vector<std::unique_ptr<const admission::Rule>> rules;
  rules.push_back(makeMigProfileKnownRule(deps));
  rules.push_back(makeMigAndGpuMixedRule(deps));
  rules.push_back(makeMigCountFitsRule(deps));
  rules.push_back(makeEphemeralContainerGpuRule(deps));
  rules.push_back(makeDeviceEnvHardeningRule(deps));
  rules.push_back(makePrivilegedGpuRule(deps));
  rules.push_back(makeCudaLabelConflictRule(deps));
  rules.push_back(makeClusterFeasibilityRule(deps));
  rules.push_back(makePodLedgerRule(deps));  // last: acts only on what the others allowed
  return rules;
}

}  // namespace migwarden::rules
