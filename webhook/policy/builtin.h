// The built-in policy: policies/default.jsonc compiled at build time into an artifact
// (tools/policy_gen.cpp) and embedded in every binary that links migwarden_policy. It is
// loaded through loadArtifact(), the same path as `--policy F`.
#pragma once

#include <memory>
#include <string_view>

#include "webhook/common/status.h"
#include "webhook/policy/policy.h"

namespace migwarden::policy {

// The embedded artifact bytes (generated source).
std::string_view builtinPolicyArtifact();

Result<std::shared_ptr<const Policy>> loadBuiltinPolicy();

}  // namespace migwarden::policy
