// The /validate rules for Pods (issue 6, "Validation"): request shape, device hardening,
// CUDA/driver feasibility against the ledger, and the ledger side effects (pending record
// on CREATE, reservation for pods created with spec.nodeName, release on DELETE).
// docs/admission-rules.md ("Validation rules") lists every rule id with its message and
// default action.
//
// Thread-safety: the rules are immutable and keep only references into RuleDeps; they may
// run concurrently (the ledger Store is thread-safe).
#pragma once

#include <memory>
#include <vector>

#include "webhook/admission/rule.h"
#include "webhook/rules/rule_deps.h"

namespace migwarden::rules {

// Ordered: shape, hardening, CUDA declaration, feasibility, then the ledger rule, which
// must run last so it records or reserves only for a pod every other rule allowed.
std::vector<std::unique_ptr<const admission::Rule>> makePodValidationRules(const RuleDeps& deps);

}  // namespace migwarden::rules
