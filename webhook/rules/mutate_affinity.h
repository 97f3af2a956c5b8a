// Rule mutate-node-affinity (/mutate, Pod CREATE, GPU pods): adds the requirements of
// mutate_node_requirements.h (GPU product with the requested MIG profiles, driver floor)
// to spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution so that
// the scheduler only considers nodes that can run the pod.
//
// Merge, so that the result means "theirs AND ours": nodeSelectorTerms are ORed and the
// expressions inside a term ANDed, so each of the pod's own terms is combined with each
// of our alternative terms (a term that already implies one of ours is kept as is). The
// pod's spec.nodeSelector is ANDed with the affinity by the scheduler and needs no
// merge. Without existing terms ours are added, creating every missing parent object
// with its own `add` first; with existing terms the array is replaced (computed from the
// object as received). No patch when every existing term already implies one of ours,
// which makes reinvocation a no-op.
#pragma once

#include <memory>
#include <string_view>

#include "webhook/admission/rule.h"
#include "webhook/rules/rule_deps.h"

namespace migwarden::rules {

inline constexpr std::string_view kRuleMutateNodeAffinity = "mutate-node-affinity";

std::unique_ptr<const admission::Rule> makeNodeAffinityMutation(const RuleDeps& deps);

}  // namespace migwarden::rules
