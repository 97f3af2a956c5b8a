// Feasibility rules: some healthy node the ledger knows must be able to run the pod.
//  - cluster-feasibility: a node whose healthy devices cover the pod's needs per resource
//    (capacity, not current free slices: a pod may wait for slices; it must not wait for
//    hardware that does not exist).
//  - cuda-driver-compatible / cuda-architecture-supported / mig-driver-minimum: among
//    those nodes, one whose driver and GPU satisfy the pod's CUDA need (policy checkCuda:
//    toolkit minimum driver or minor-version compatibility, compute capability supported
//    by that CUDA major, MIG minimum driver); without a CUDA need only the MIG minimum.
//    When no node passes, the finding is the first candidate node's verdict.
//  - cuda-label-conflict: annotation and label declare different CUDA versions.
// While the ledger has no GPU node, these findings warn instead of deny
// (reportFeasibility). Not run for pods/ephemeralcontainers (the pod is placed already).
// Thread-safety: immutable rules; the ledger queries are thread-safe.
#pragma once

#include <memory>

#include "webhook/admission/rule.h"
#include "webhook/rules/rule_deps.h"

namespace migwarden::rules {

std::unique_ptr<const admission::Rule> makeCudaLabelConflictRule(const RuleDeps& deps);
std::unique_ptr<const admission::Rule> makeClusterFeasibilityRule(const RuleDeps& deps);

}  // namespace migwarden::rules
