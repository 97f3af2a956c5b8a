#include "webhook/policy/builtin.h"

#include "webhook/policy/artifact.h"

namespace migwarden::policy {

Result<std::shared_ptr<const Policy>> loadBuiltinPolicy() { return loadArtifact(builtinPolicyArtifact(), "(built-in)"); }

}  // namespace migwarden::policy
