// migwarden-webhook's command line: a typed config, parsed and validated once.
// Every flag, its default and its help text live in one table (flags.cpp) that also
// renders --help, so the two cannot drift apart.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "webhook/auth/token_verifier.h"
#include "webhook/common/logging.h"
#include "webhook/common/status.h"
#include "webhook/server/tls_context.h"
#include "webhook/server/webhook_server.h"

namespace migwarden::webhook {

struct WebhookConfig {
  server::ServerOptions server;
  server::TlsFiles tls;
  LogOptions log;
  bool enableNullEndpoint = false;

  std::string policyPath;        // empty: the built-in table
  std::string policyPubkeyPath;  // empty: signatures not required
  std::chrono::milliseconds policyPollInterval{10'000};
  std::string ledgerBackend = "local";  // "local" (--ledger-dir) or "etcd"
  std::string ledgerDir = "/var/lib/migwarden/ledger";
  bool ledgerRepair = false;
  std::string etcdEndpoints;  // comma list of http(s)://host:port (etcd backend)
  std::string etcdPrefix = "/migwarden/";
  std::string etcdCaFile;
  std::string etcdCertFile;
  std::string etcdKeyFile;
  std::chrono::milliseconds reservationSweepInterval{5'000};
  std::chrono::seconds reservationTtl{300};
  auth::AgentAuthConfig agentAuth;
  std::string auditLog;  // empty: no audit log; "-": stdout
  std::string auditHmacKeyPath;
  uint64_t auditMaxBytes = 100ull << 20;
  uint32_t auditKeep = 10;
  std::string auditFailure = "deny";
};

struct ParsedFlags {
  enum class Action { kRun, kHelp, kVersion };
  Action action = Action::kRun;
  WebhookConfig config;
};

// Errors name the flag ("--threads: must be a whole number from 1 to 1024, got \"x\"").
Result<ParsedFlags> parseFlags(const std::vector<std::string_view>& args);

// The --help text (every flag with its default).
std::string helpText();

// Durations ("10s", "1m30s") are parsed by migwarden::parseDuration (webhook/common/flag_table.h).

}  // namespace migwarden::webhook
