// Shape rules: what a GPU pod asks for must be something a node of the policy's GPU
// models could hand out. Rule ids: mig-profile-known, mig-and-gpu-mixed, mig-count-fits,
// ephemeral-container-gpu.
// Thread-safety: immutable rules; see pod_validation.h.
#pragma once

#include <memory>

#include "webhook/admission/rule.h"
#include "webhook/rules/rule_deps.h"

namespace migwarden::rules {

// Refuses unknown MIG resources. Also the one rule that turns a malformed GPU quantity
// (fraction, negative, requests != limits) into a denial naming the field, so the error
// is reported once, not by every rule.
std::unique_ptr<const admission::Rule> makeMigProfileKnownRule(const RuleDeps& deps);
std::unique_ptr<const admission::Rule> makeMigAndGpuMixedRule(const RuleDeps& deps);
// Per resource, the pod's needs must fit one node: a MIG profile's maxInstances per GPU
// times the GPUs a node of that model may have (the most any GPU node in the ledger
// reports, and at least kPlausibleGpusPerNode, the 8-GPU HGX/DGX baseboard); whole GPUs
// likewise. The largest model wins when a resource name is shared by several models.
std::unique_ptr<const admission::Rule> makeMigCountFitsRule(const RuleDeps& deps);
std::unique_ptr<const admission::Rule> makeEphemeralContainerGpuRule(const RuleDeps& deps);

inline constexpr int64_t kPlausibleGpusPerNode = 8;

}  // namespace migwarden::rules
