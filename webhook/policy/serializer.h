// Canonical JSON form of a policy: compact, fixed member order, every derived field
// written out (resource names, memoryGB), no comments. It is what an artifact carries
// and what the policy digest covers, and it reads back through the same source parser.
// Pure function, thread-safe.
#pragma once

#include <string>

#include "webhook/policy/model.h"

namespace migwarden::policy {

std::string serializeCanonical(const PolicyData& data);

}  // namespace migwarden::policy
