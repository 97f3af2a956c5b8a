// The ledger side of /validate for Pods (rule id "pod-ledger"; it makes no policy
// findings of its own except binding-capacity for spec.nodeName):
//  - GPU pod CREATE that every earlier rule allowed: annotate `slices`, record the pod's
//    needs as pending (recordPending); a pod with spec.nodeName skips the scheduler, so
//    its slices are reserved on that node here (ttl deps.reservationTtl), or the finding
//    binding-capacity names the node and the shortfall.
//  - Pod DELETE: release(uid) of the pod in oldObject. Never denies a DELETE.
//  - dryRun: the same decision, no ledger change (the store evaluates dry runs).
//  - A read-only ledger (IOError) refuses GPU pod creation with 503 ServiceUnavailable:
//    admitting a pod the ledger cannot track would let slices be promised twice.
//    A GPU pod without metadata.uid is refused (400): the ledger keys on it.
// Thread-safety: immutable rule; the Store is thread-safe.
#pragma once

#include <memory>

#include "webhook/admission/rule.h"
#include "webhook/rules/rule_deps.h"

namespace migwarden::rules {

inline constexpr std::string_view kBindingCapacityRule = "binding-capacity";

std::unique_ptr<const admission::Rule> makePodLedgerRule(const RuleDeps& deps);

}  // namespace migwarden::rules
