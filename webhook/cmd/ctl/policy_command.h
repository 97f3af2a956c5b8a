// Internal to migwardenctl's `policy` command: the subcommands, one file each.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "webhook/cmd/ctl/commands.h"
#include "webhook/policy/policy.h"

namespace migwarden::ctl::policycmd {

int runCheck(Args args);
int runCompile(Args args);
int runExplain(Args args);
int runTest(Args args);

// --policy F (repeatable; sources or one artifact) or the built-in table. Prints the
// problem to stderr and returns null on failure.
std::shared_ptr<const policy::Policy> loadPolicyOrBuiltin(const std::vector<std::string>& files);

}  // namespace migwarden::ctl::policycmd
