// Rule mutate-annotations (/mutate, Pod CREATE, GPU pods): records on the pod what the
// mutation was computed from, for people and for the audit trail:
//   migwarden.io/policy-digest          the policy table's digest ("sha256:...")
//   migwarden.io/mutated                "true"
//   migwarden.io/resolved-cuda-version  the CUDA version the pod declares, however it
//                                       declared it (annotation, label, env, image rule)
// metadata.annotations is created when absent; keys are escaped by the patch builder.
// A key that already has the value yields no op (reinvocation is a no-op); a stale
// value (an older policy digest) is replaced.
#pragma once

#include <memory>
#include <string_view>

#include "webhook/admission/rule.h"
#include "webhook/rules/rule_deps.h"

namespace migwarden::rules {

inline constexpr std::string_view kRuleMutateAnnotations = "mutate-annotations";
inline constexpr std::string_view kAnnotationPolicyDigest = "migwarden.io/policy-digest";
inline constexpr std::string_view kAnnotationMutated = "migwarden.io/mutated";
inline constexpr std::string_view kAnnotationResolvedCuda = "migwarden.io/resolved-cuda-version";

std::unique_ptr<const admission::Rule> makeAnnotationsMutation(const RuleDeps& deps);

}  // namespace migwarden::rules
