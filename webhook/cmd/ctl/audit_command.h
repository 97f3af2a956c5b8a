// Shared pieces of `migwardenctl audit verify|query`.
#pragma once

#include <string>
#include <vector>

#include "webhook/cmd/ctl/commands.h"
#include "webhook/common/env.h"
#include "webhook/common/status.h"

namespace migwarden::ctl {

int runAuditVerify(Args args);
int runAuditQuery(Args args);

// Expands PATH arguments: a file stays as is, a directory becomes its audit files in
// chain order (rotated "<name>.<seq>" files first, the active file last).
Result<std::vector<std::string>> expandAuditPaths(Env& env, const std::vector<std::string>& paths);

}  // namespace migwarden::ctl
