// `migwardenctl ledger show`: the MIG allocation ledger for people. Reads either a ledger
// directory without changing it (read_only_ledger.h), so it is safe next to a running
// webhook, or a running webhook's GET /ledger/v1/nodes, and prints tables or that JSON.
#include <cctype>
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>

#include <spdlog/spdlog.h>

#include "webhook/cmd/ctl/commands.h"
#include "webhook/cmd/ctl/string_options.h"
#include "webhook/common/clock.h"
#include "webhook/common/env.h"
#include "webhook/ledger/api/https_get.h"
#include "webhook/ledger/api/read_only_ledger.h"
#include "webhook/ledger/api/view_decode.h"
#include "webhook/ledger/api/view_table.h"
#include "webhook/ledger/view_json.h"

namespace migwarden::ctl {
namespace {

constexpr std::string_view kUsage =
    "usage: migwardenctl ledger show --ledger-dir DIR [--output table|json]\n"
    "       migwardenctl ledger show --server https://HOST:PORT --token-file F [--cacert F]\n"
    "                                [--output table|json]\n"
    "\n"
    "       migwardenctl ledger export|import ... (see ledger export --help)\n"
    "\n"
    "Shows the MIG allocation ledger: nodes, free/total slices per resource, bound pods,\n"
    "reservations, pending pods and conflicts.\n"
    "\n"
    "  --ledger-dir DIR     the webhook's --ledger-dir. Opened read-only: nothing in DIR is\n"
    "                       changed, so it is safe while the webhook runs (the view is a\n"
    "                       point-in-time read and may miss a write in progress).\n"
    "  --server URL         a running webhook's TLS address; reads GET /ledger/v1/nodes\n"
    "  --token-file F       file holding an agent token (any node's; e.g. from\n"
    "                       `migwardenctl token`, or a projected ServiceAccount token)\n"
    "  --cacert F           CA bundle (PEM) to verify the webhook's certificate (default:\n"
    "                       the system's roots)\n"
    "  --output FORMAT      table (default) or json (the body of GET /ledger/v1/nodes)\n"
    "\n"
    "Exit status: 0 shown, 1 the ledger could not be read (missing, corrupt, server error),\n"
    "2 usage error.\n";

int usageError(const std::string& message) {
  std::fprintf(stderr, "migwardenctl ledger: %s\n", message.c_str());
  return 2;
}

struct ShowOptions {
  std::string ledgerDir;
  std::string server;
  std::string tokenFile;
  std::string caFile;
  std::string output = "table";
};

// Returns an exit code when parsing ends the command (help, error).
std::optional<int> parseShow(Args args, ShowOptions* options) {
  const auto done = parseStringOptions(args,
                                       {{{"--ledger-dir"}, &options->ledgerDir},
                                        {{"--output", "-o"}, &options->output},
                                        {{"--server"}, &options->server},
                                        {{"--token-file"}, &options->tokenFile},
                                        {{"--cacert"}, &options->caFile}},
                                       kUsage, [](const std::string& m) { return usageError(m); });
  if (done) return done;
  if (options->ledgerDir.empty() == options->server.empty())
    return usageError("give exactly one of --ledger-dir and --server (see --help)");
  if (!options->server.empty() && options->tokenFile.empty())
    return usageError("--server needs --token-file: the ledger API requires an agent token");
  if (options->server.empty() && (!options->tokenFile.empty() || !options->caFile.empty()))
    return usageError("--token-file and --cacert only apply with --server");
  if (options->output != "table" && options->output != "json")
    return usageError("--output must be table or json, not \"" + options->output + "\"");
  return std::nullopt;
}

int readFailure(const Status& status) {
  std::fprintf(stderr, "migwardenctl ledger: %s\n", status.toString().c_str());
  return 1;
}

// The view as JSON text from a local directory.
Result<std::string> localViewJson(const ShowOptions& options, const Clock& clock) {
  PosixEnv posix;
  ledger::DiscardWritesEnv env(posix);
  auto store = ledger::openLedgerForReading(options.ledgerDir, env, clock);
  if (!store.ok()) return store.status();
  return ledger::encodeLedgerView((*store)->view());
}

// The view as JSON text from GET /ledger/v1/nodes.
Result<std::string> remoteViewJson(const ShowOptions& options) {
  PosixEnv env;
  auto token = env.readFile(options.tokenFile);
  if (!token.ok()) return token.status().withContext("--token-file");
  std::string_view trimmed = *token;
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.back()))) trimmed.remove_suffix(1);
  while (!trimmed.empty() && std::isspace(static_cast<unsigned char>(trimmed.front()))) trimmed.remove_prefix(1);
  if (trimmed.empty()) return Status::InvalidArgument("--token-file " + options.tokenFile + " is empty");

  ledger::HttpsGetRequest request;
  request.server = options.server;
  request.path = "/ledger/v1/nodes";
  request.bearerToken = std::string(trimmed);
  request.caFile = options.caFile;
  auto response = ledger::httpsGet(request);
  if (!response.ok()) return response.status();
  if (response->status != 200)
    return Status::Unavailable("GET /ledger/v1/nodes answered HTTP " + std::to_string(response->status) + ": " +
                               response->body.substr(0, 1024));
  return std::move(response->body);
}

int runShow(Args args) {
  ShowOptions options;
  if (auto done = parseShow(args, &options)) return *done;
  // Recovery chatter (a dropped torn tail) is for the webhook's log, not this output.
  spdlog::set_level(spdlog::level::err);

  SystemClock clock;
  auto json = options.server.empty() ? localViewJson(options, clock) : remoteViewJson(options);
  if (!json.ok()) return readFailure(json.status());
  std::string text;
  if (options.output == "json") {
    text = *json + "\n";
  } else {
    auto view = ledger::decodeLedgerView(*json);
    if (!view.ok()) return readFailure(view.status().withContext("ledger view"));
    text = ledger::renderLedgerTables(*view, clock.now());
  }
  std::fwrite(text.data(), 1, text.size(), stdout);
  return 0;
}

}  // namespace

// ledger_command_transfer.cpp
int runLedgerTransfer(std::string_view subcommand, Args args);

int runLedgerCommand(Args args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fwrite(kUsage.data(), 1, kUsage.size(), args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "show") return runShow(args.subspan(1));
  if (args[0] == "export" || args[0] == "import") return runLedgerTransfer(args[0], args.subspan(1));
  return usageError("unknown subcommand \"" + std::string(args[0]) + "\" (expected show, export or import; see --help)");
}

}  // namespace migwarden::ctl
