// The option syntax shared by migwardenctl subcommands whose options all take a string
// value (token, ledger show/export/import): --name VALUE or --name=VALUE, --help/-h.
// Semantic checks (required options, one-of) stay with each command.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/cmd/ctl/commands.h"

namespace migwarden::ctl {

struct StringOption {
  std::vector<std::string_view> names;  // e.g. {"--output", "-o"}
  std::string* target;
};

// Fills the targets. Returns nullopt when the command should go on; otherwise the exit
// code: 0 after printing `usage` for --help, or whatever `usageError` returns for an
// unknown option or a missing value (it prints the message; commands return 2).
std::optional<int> parseStringOptions(Args args, const std::vector<StringOption>& options, std::string_view usage,
                                      const std::function<int(const std::string&)>& usageError);

}  // namespace migwarden::ctl
