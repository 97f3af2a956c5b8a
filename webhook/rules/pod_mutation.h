// The /mutate rules for Pod CREATE (DESIGN.md "Flow of a GPU pod", step 1), in the order
// the pipeline runs them:
//   mutate-gpu-env          device env, NCCL-on-MIG env, NVIDIA_VISIBLE_DEVICES=void
//                           for containers without a GPU (mutate_env.h)
//   mutate-gpu-tolerations  the policy's tolerations for MIG / whole-GPU pods
//   mutate-node-affinity    required node affinity: GPU product, driver floor
//   mutate-annotations      policy digest, resolved CUDA version
// Each acts only on /mutate, resource pods (no subresource), operation CREATE, in a
// namespace the policy does not ignore; the last three only on pods requesting GPUs.
// Every op is computed against request.object as received and the rules touch disjoint
// paths, so the combined patch always applies; on the patched pod they emit nothing
// (reinvocationPolicy: IfNeeded). Mutation never denies: a pod the rules cannot read is
// refused by the pipeline (fail closed), exactly as the validation rules would.
//
// Each rule takes its own policy snapshot; a reload between two rules of one request
// can only make the pod carry settings of both tables, which the next admission (or a
// reinvocation) reconciles.
// Thread-safety: the rules are immutable; evaluate() may run concurrently.
#pragma once

#include <memory>
#include <vector>

#include "webhook/admission/rule.h"
#include "webhook/rules/rule_deps.h"

namespace migwarden::rules {

// `deps` must outlive the rules.
std::vector<std::unique_ptr<const admission::Rule>> makePodMutationRules(const RuleDeps& deps);

}  // namespace migwarden::rules
