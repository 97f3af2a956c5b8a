// migwardenctl subcommands. Each lives in its own <name>_command.cpp and is listed in
// main.cpp's table; a command gets the arguments after its name and returns the exit code.
#pragma once

#include <span>
#include <string_view>

namespace migwarden::ctl {

using Args = std::span<const std::string_view>;

int runPolicyCommand(Args args);  // policy check|compile|test|explain
int runTokenCommand(Args args);   // token --hs256-key F --node N [--ttl 1h]
int runLedgerCommand(Args args);  // ledger show ...
int runAuditCommand(Args args);   // audit verify|query

}  // namespace migwarden::ctl
