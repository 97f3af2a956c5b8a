// Applies a rule's finding with the action the policy gives that rule in the request's
// namespace: deny (the request is refused with `message`), warn (an AdmissionResponse
// warning) or audit (only an audit annotation and a log line). Every rule reports its
// findings through here so that per-namespace overrides work the same for all rules.
//
// Namespace labels are not part of an AdmissionReview, so label-selector overrides match
// against an empty label set until a namespace cache exists (docs/policy-reference.md).
#pragma once

#include <string>
#include <string_view>

#include "webhook/admission/decision.h"
#include "webhook/admission/rule.h"
#include "webhook/policy/policy.h"

namespace migwarden::rules {

// `message` names the container, the resource or field, and the reason, e.g.
// `container "train": nvidia.com/mig-3g.40gb is not a MIG profile of any GPU in the policy`.
void report(const policy::Policy& policy, std::string_view ruleId, const admission::ReviewContext& context,
            admission::Decision& decision, std::string message);

}  // namespace migwarden::rules
