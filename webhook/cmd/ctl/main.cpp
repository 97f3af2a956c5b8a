// migwardenctl: the command-line tool for people (policy authors, platform and
// security teams). Dispatch only; every subcommand lives in its own file.
#include <cstdio>
#include <string_view>
#include <vector>

#include "webhook/cmd/ctl/commands.h"

namespace {

struct Command {
  std::string_view name;
  std::string_view summary;
  int (*run)(migwarden::ctl::Args);
};

// Keep in the order `--help` prints them.
constexpr Command kCommands[] = {
#ifdef MIGWARDENCTL_HAS_POLICY
    {"policy", "check, compile, test and explain the GPU compatibility policy table", migwarden::ctl::runPolicyCommand},
#endif
#ifdef MIGWARDENCTL_HAS_LEDGER
    {"ledger", "show the MIG allocation ledger (from a ledger dir or a running webhook)",
     migwarden::ctl::runLedgerCommand},
#endif
#ifdef MIGWARDENCTL_HAS_TOKEN
    {"token", "mint a development HS256 agent token for one node", migwarden::ctl::runTokenCommand},
#endif
#ifdef MIGWARDENCTL_HAS_AUDIT
    {"audit", "verify the audit log's hash chain and query its records", migwarden::ctl::runAuditCommand},
#endif
};

void usage(std::FILE* out) {
  std::fprintf(out, "usage: migwardenctl <command> [args...]\n\ncommands:\n");
  for (const auto& c : kCommands)
    std::fprintf(out, "  %-8.*s %.*s\n", static_cast<int>(c.name.size()), c.name.data(),
                 static_cast<int>(c.summary.size()), c.summary.data());
  std::fprintf(out, "\n`migwardenctl <command> --help` describes a command.\n");
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string_view> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    usage(args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  for (const auto& c : kCommands) {
    if (c.name == args[0]) return c.run(migwarden::ctl::Args(args).subspan(1));
  }
  std::fprintf(stderr, "migwardenctl: unknown command \"%.*s\"\n\n", static_cast<int>(args[0].size()), args[0].data());
  usage(stderr);
  return 2;
}
