// Rule mutate-gpu-tolerations (/mutate, Pod CREATE): GPU nodes are usually tainted
// (nvidia.com/gpu:NoSchedule) so that only GPU pods land there; a pod requesting MIG
// slices gets policy mutation.tolerations.migSlice, one requesting nvidia.com/gpu gets
// tolerations.wholeGpu. A toleration is added only when the pod has none equal to it in
// every field (key, operator — "" means Equal —, value, effect, no tolerationSeconds);
// pods without GPU requests get nothing. Ops: `add /spec/tolerations` with the whole
// array when the pod has none, else `add /spec/tolerations/-` per toleration.
#pragma once

#include <memory>
#include <string_view>

#include "webhook/admission/rule.h"
#include "webhook/rules/rule_deps.h"

namespace migwarden::rules {

inline constexpr std::string_view kRuleMutateTolerations = "mutate-gpu-tolerations";

std::unique_ptr<const admission::Rule> makeTolerationsMutation(const RuleDeps& deps);

}  // namespace migwarden::rules
