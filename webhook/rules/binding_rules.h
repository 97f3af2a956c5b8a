// Rules for `pods/binding` CREATE on /validate: the moment the scheduler picks a node
// for a pod. The binding carries no resources (core/v1 Binding is just the pod's
// name/namespace/uid and a target node), so the rule looks up what the pod asked for in
// the ledger's pending record (written by the pod CREATE validation) and reserves those
// slices on the target node, or refuses the binding with the node's numbers.
//
// Rule ids (policy enforcement.rules): binding-capacity.
// Thread-safety: the rules are immutable; evaluate() may run on any number of threads
// at once (the ledger serializes the reservations; of two pods racing for the last
// slice exactly one is allowed).
#pragma once

#include <memory>
#include <vector>

#include "webhook/admission/rule.h"
#include "webhook/rules/rule_deps.h"

namespace migwarden::rules {

inline constexpr std::string_view kRuleBindingCapacity = "binding-capacity";

// Audit annotation keys (without the webhook's prefix) the binding rule sets.
inline constexpr const char* kAnnotationBindingNode = "binding.node";
inline constexpr const char* kAnnotationBindingReserved = "binding.reserved";  // "nvidia.com/mig-1g.5gb=2"
inline constexpr const char* kAnnotationBindingOutcome = "binding.outcome";

// The rules in evaluation order. `deps` must outlive them.
std::vector<std::unique_ptr<const admission::Rule>> makeBindingRules(const RuleDeps& deps);

}  // namespace migwarden::rules
