#include "webhook/cmd/webhook/flags.h"

#include "webhook/common/flag_table.h"

#include <functional>
#include <thread>

#ifdef MIGWARDEN_HAS_LEDGER_ETCD
#include "webhook/ledger/etcd/etcd_endpoint.h"
#endif

namespace migwarden::webhook {
namespace {

using std::chrono::milliseconds;

using FlagSpec = migwarden::FlagSpec<WebhookConfig>;

auto unsignedFlag(std::string_view flag, uint64_t min, uint64_t max, std::function<void(WebhookConfig&, uint64_t)> set) {
  return [flag, min, max, set](WebhookConfig& c, std::string_view v) -> Status {
    auto n = parseUnsigned(v);
    if (!n.ok() || *n < min || *n > max)
      return badFlagValue(flag, "must be a whole number from " + std::to_string(min) + " to " + std::to_string(max), v);
    set(c, *n);
    return Status::Ok();
  };
}

auto durationFlag(std::string_view flag, bool allowZero, std::function<void(WebhookConfig&, milliseconds)> set) {
  return [flag, allowZero, set](WebhookConfig& c, std::string_view v) -> Status {
    auto d = parseDuration(v);
    if (!d.ok()) return badFlagValue(flag, "must be a duration such as 10s, 500ms or 1m30s", v);
    if (!allowZero && d->count() == 0) return badFlagValue(flag, "must be greater than zero", v);
    set(c, *d);
    return Status::Ok();
  };
}

auto addressFlag(std::string_view flag, server::ListenAddress server::ServerOptions::*field) {
  return [flag, field](WebhookConfig& c, std::string_view v) -> Status {
    auto a = server::parseListenAddress(v);
    if (!a.ok()) return Status::InvalidArgument("--" + std::string(flag) + ": " + a.status().message());
    c.server.*field = *a;
    return Status::Ok();
  };
}

auto pathFlag(std::string_view flag, std::string WebhookConfig::*field) {
  return [flag, field](WebhookConfig& c, std::string_view v) -> Status {
    if (v.empty()) return badFlagValue(flag, "must not be empty", v);
    c.*field = std::string(v);
    return Status::Ok();
  };
}

auto tlsPathFlag(std::string_view flag, std::string server::TlsFiles::*field) {
  return [flag, field](WebhookConfig& c, std::string_view v) -> Status {
    if (v.empty()) return badFlagValue(flag, "must not be empty", v);
    c.tls.*field = std::string(v);
    return Status::Ok();
  };
}

unsigned defaultThreads() { return std::max(1u, std::thread::hardware_concurrency()); }

const std::vector<FlagSpec>& flagTable() {
  static const std::vector<FlagSpec> kFlags = [] {
    std::vector<FlagSpec> table = {
      {"listen", "HOST:PORT", "TLS address for /mutate and /validate (port 0 picks a free port). Default 0.0.0.0:8443.",
       addressFlag("listen", &server::ServerOptions::listen)},
      {"health-listen", "HOST:PORT",
       "Plain-HTTP address for /healthz, /readyz and /metrics. Default 0.0.0.0:8080.",
       addressFlag("health-listen", &server::ServerOptions::healthListen)},
      {"tls-cert", "FILE", "Serving certificate chain (PEM, ECDSA or RSA). Required. Re-read when it changes.",
       tlsPathFlag("tls-cert", &server::TlsFiles::certPath)},
      {"tls-key", "FILE", "Private key for --tls-cert (PEM, unencrypted). Required. Re-read when it changes.",
       tlsPathFlag("tls-key", &server::TlsFiles::keyPath)},
      {"client-ca", "FILE",
       "CA bundle (PEM); when set, clients must present a certificate it signed (mTLS). Default: off.",
       tlsPathFlag("client-ca", &server::TlsFiles::clientCaPath)},
      {"cert-poll-interval", "DURATION", "How often the certificate files are checked for changes. Default 10s.",
       durationFlag("cert-poll-interval", false, [](auto& c, auto d) { c.server.certPollInterval = d; })},
      {"threads", "N", "Worker threads. Default: the number of CPUs.",
       unsignedFlag("threads", 1, 1024, [](auto& c, auto n) { c.server.threads = static_cast<unsigned>(n); })},
      {"max-connections", "N",
       "Open TLS connections allowed; further ones are closed on accept and counted. Default 4096.",
       unsignedFlag("max-connections", 1, 1'000'000, [](auto& c, auto n) { c.server.maxConnections = n; })},
      {"max-body-bytes", "BYTES", "Largest request body; larger ones get 413. Default 3145728 (3 MiB).",
       unsignedFlag("max-body-bytes", 1, 1ull << 30,
                    [](auto& c, auto n) { c.server.limits.bodyLimitBytes = static_cast<size_t>(n); })},
      {"max-header-bytes", "BYTES", "Largest request header block; larger ones get 431. Default 16384.",
       unsignedFlag("max-header-bytes", 1024, 1u << 20,
                    [](auto& c, auto n) { c.server.limits.headerLimitBytes = static_cast<size_t>(n); })},
      {"handshake-timeout", "DURATION", "Deadline for the TLS handshake. Default 10s.",
       durationFlag("handshake-timeout", false, [](auto& c, auto d) { c.server.limits.handshakeTimeout = d; })},
      {"header-timeout", "DURATION",
       "Deadline from a request's first byte to the end of its header (slowloris). Default 10s.",
       durationFlag("header-timeout", false, [](auto& c, auto d) { c.server.limits.headerTimeout = d; })},
      {"body-timeout", "DURATION", "Deadline for reading a request body. Default 30s.",
       durationFlag("body-timeout", false, [](auto& c, auto d) { c.server.limits.bodyTimeout = d; })},
      {"idle-timeout", "DURATION", "How long an idle keep-alive connection is kept open. Default 90s.",
       durationFlag("idle-timeout", false, [](auto& c, auto d) { c.server.limits.idleTimeout = d; })},
      {"write-timeout", "DURATION", "Deadline for writing a response. Default 10s.",
       durationFlag("write-timeout", false, [](auto& c, auto d) { c.server.limits.writeTimeout = d; })},
      {"shutdown-grace", "DURATION",
       "On SIGTERM/SIGINT, how long in-flight requests may take before the process exits. Default 25s.",
       durationFlag("shutdown-grace", true, [](auto& c, auto d) { c.server.shutdownGrace = d; })},
      {"enable-null-endpoint", "",
       "Serve POST /null (reads the body, answers 200 {}) for load-test comparisons. Default: off.",
       [](WebhookConfig& c, std::string_view) {
         c.enableNullEndpoint = true;
         return Status::Ok();
       }},
      {"policy", "FILE",
       "Compiled policy artifact (migwardenctl policy compile). Default: the built-in table. A broken artifact "
       "stops startup; later changes are reloaded (--policy-poll-interval).",
       pathFlag("policy", &WebhookConfig::policyPath)},
      {"policy-pubkey", "FILE", "PEM public key (Ed25519 or ECDSA P-256): --policy must carry a valid signature by it.",
       pathFlag("policy-pubkey", &WebhookConfig::policyPubkeyPath)},
      {"policy-poll-interval", "DURATION",
       "How often --policy is checked for changes; a changed valid artifact is swapped in atomically, an invalid "
       "one is refused and the old table kept. Default 10s.",
       durationFlag("policy-poll-interval", false, [](auto& c, auto d) { c.policyPollInterval = d; })},
      {"ledger-backend", "local|etcd",
       "Where the MIG allocation ledger lives: local (--ledger-dir; one replica) or etcd (--etcd-endpoints; "
       "several replicas share one ledger, docs/ledger-etcd.md). Default local.",
       [](WebhookConfig& c, std::string_view v) -> Status {
         if (v != "local" && v != "etcd") return badFlagValue("ledger-backend", "must be local or etcd", v);
         c.ledgerBackend = std::string(v);
         return Status::Ok();
       }},
      {"ledger-dir", "DIR",
       "Directory of the local MIG allocation ledger, created if missing; one process at a time. "
       "Default /var/lib/migwarden/ledger.",
       pathFlag("ledger-dir", &WebhookConfig::ledgerDir)},
      {"ledger-repair", "",
       "Start even if the ledger log is damaged in the middle, cutting it at the damage (loses what follows; "
       "logged). Default: refuse to start.",
       [](WebhookConfig& c, std::string_view) {
         c.ledgerRepair = true;
         return Status::Ok();
       }},
      {"etcd-endpoints", "URLS",
       "etcd client URLs for --ledger-backend etcd, comma separated: http(s)://host:port,... Required with "
       "that backend.",
       [](WebhookConfig& c, std::string_view v) -> Status {
         if (v.empty()) return badFlagValue("etcd-endpoints", "must list at least one http(s)://host:port", v);
         c.etcdEndpoints = std::string(v);
         return Status::Ok();
       }},
      {"etcd-prefix", "PREFIX",
       "Key prefix of the ledger in etcd; replicas sharing a ledger use the same one. Must end with /. "
       "Default /migwarden/.",
       [](WebhookConfig& c, std::string_view v) -> Status {
         if (v.empty() || v.back() != '/') return badFlagValue("etcd-prefix", "must end with / (e.g. /migwarden/)", v);
         c.etcdPrefix = std::string(v);
         return Status::Ok();
       }},
      {"etcd-cacert", "FILE", "CA bundle (PEM) that etcd's serving certificate must chain to (https endpoints). "
       "Default: the system's roots.",
       pathFlag("etcd-cacert", &WebhookConfig::etcdCaFile)},
      {"etcd-cert", "FILE", "Client certificate (PEM) presented to etcd (with --etcd-key). Default: none.",
       pathFlag("etcd-cert", &WebhookConfig::etcdCertFile)},
      {"etcd-key", "FILE", "Private key (PEM) for --etcd-cert.", pathFlag("etcd-key", &WebhookConfig::etcdKeyFile)},
      {"reservation-ttl", "DURATION",
       "How long slices reserved when a pod is bound wait for the node agent to report them allocated before "
       "they are released. Default 5m.",
       [](WebhookConfig& c, std::string_view v) -> Status {
         auto d = parseDuration(v);
         if (!d.ok() || *d < std::chrono::seconds(1) || *d > std::chrono::hours(24))
           return badFlagValue("reservation-ttl", "must be a duration from 1s to 24h", v);
         c.reservationTtl = std::chrono::duration_cast<std::chrono::seconds>(*d);
         return Status::Ok();
       }},
      {"reservation-sweep-interval", "DURATION",
       "How often reservations that no agent report confirmed are checked for expiry. Default 5s.",
       durationFlag("reservation-sweep-interval", false, [](auto& c, auto d) { c.reservationSweepInterval = d; })},
      {"agent-hs256-key", "FILE",
       "Shared key (at least 32 bytes) that node agents' HS256 tokens are signed with (dev clusters). "
       "Default: off.",
       [](WebhookConfig& c, std::string_view v) -> Status {
         if (v.empty()) return badFlagValue("agent-hs256-key", "must not be empty", v);
         c.agentAuth.hs256KeyFile = std::string(v);
         return Status::Ok();
       }},
      {"agent-jwks", "FILE",
       "JWKS (RSA/EC P-256 keys) that node agents' tokens are verified with, e.g. the cluster's service-account "
       "issuer keys; re-read when it changes. Default: off.",
       [](WebhookConfig& c, std::string_view v) -> Status {
         if (v.empty()) return badFlagValue("agent-jwks", "must not be empty", v);
         c.agentAuth.jwksFile = std::string(v);
         return Status::Ok();
       }},
      {"agent-audience", "S", "Audience agent tokens must carry. Default migwarden.",
       [](WebhookConfig& c, std::string_view v) -> Status {
         if (v.empty()) return badFlagValue("agent-audience", "must not be empty", v);
         c.agentAuth.audience = std::string(v);
         return Status::Ok();
       }},
      {"agent-issuer", "S", "Issuer agent tokens must carry. Default: not checked.",
       [](WebhookConfig& c, std::string_view v) -> Status {
         if (v.empty()) return badFlagValue("agent-issuer", "must not be empty", v);
         c.agentAuth.issuer = std::string(v);
         return Status::Ok();
       }},
      {"agent-clock-leeway", "DURATION", "Clock skew allowed on agent tokens' exp/nbf/iat. Default 30s, at most 10m.",
       [](WebhookConfig& c, std::string_view v) -> Status {
         auto d = parseDuration(v);
         if (!d.ok() || *d > std::chrono::minutes(10))
           return badFlagValue("agent-clock-leeway", "must be a duration from 0s to 10m", v);
         c.agentAuth.leeway = std::chrono::duration_cast<std::chrono::seconds>(*d);
         return Status::Ok();
       }},
      {"audit-log", "FILE",
       "Hash-chained audit log of every admission decision and ledger change (docs/audit.md); - for stdout. "
       "Default: off.",
       pathFlag("audit-log", &WebhookConfig::auditLog)},
      {"audit-hmac-key", "FILE",
       "Key (at least 32 bytes) for HMAC-SHA256 chaining, so whoever can edit the log cannot recompute the chain. "
       "Default: plain SHA-256.",
       pathFlag("audit-hmac-key", &WebhookConfig::auditHmacKeyPath)},
      {"audit-max-bytes", "BYTES", "Rotate the audit log at this size (the chain continues). 0 = never. Default 104857600.",
       unsignedFlag("audit-max-bytes", 0, 1ull << 40, [](auto& c, auto n) { c.auditMaxBytes = n; })},
      {"audit-keep", "N", "Rotated audit files kept (oldest deleted). 0 = keep all. Default 10.",
       unsignedFlag("audit-keep", 0, 100000, [](auto& c, auto n) { c.auditKeep = static_cast<uint32_t>(n); })},
      {"audit-failure", "deny|allow",
       "When the audit log cannot write: deny new GPU allocations (pending pods, reservations, node reports; "
       "the default, and /readyz fails) or keep serving (records are lost and counted).",
       [](WebhookConfig& c, std::string_view v) -> Status {
         if (v != "deny" && v != "allow") return badFlagValue("audit-failure", "must be deny or allow", v);
         c.auditFailure = std::string(v);
         return Status::Ok();
       }},
    };
    for (auto& f : logFlags(&WebhookConfig::log, "trace, debug, info, warn or error. Default info. Access log lines are at debug."))
      table.push_back(std::move(f));
    return table;
  }();
  return kFlags;
}

// The etcd flags only make sense together, and only with the etcd backend.
Status checkLedgerBackend(const WebhookConfig& c) {
  const bool anyEtcdFlag = !c.etcdEndpoints.empty() || !c.etcdCaFile.empty() || !c.etcdCertFile.empty() ||
                           !c.etcdKeyFile.empty() || c.etcdPrefix != "/migwarden/";
  if (c.ledgerBackend != "etcd") {
    if (anyEtcdFlag)
      return Status::InvalidArgument("--etcd-*: only apply with --ledger-backend etcd (the backend is " +
                                     c.ledgerBackend + ")");
    return Status::Ok();
  }
#ifndef MIGWARDEN_HAS_LEDGER_ETCD
  return Status::InvalidArgument("--ledger-backend etcd: this build has no etcd backend (module ledger_etcd)");
#endif
  if (c.etcdEndpoints.empty())
    return Status::InvalidArgument("--ledger-backend etcd: needs --etcd-endpoints (e.g. https://etcd-0:2379)");
#ifdef MIGWARDEN_HAS_LEDGER_ETCD
  if (auto endpoints = ledger::etcd::parseEndpoints(c.etcdEndpoints); !endpoints.ok()) return endpoints.status();
#endif
  if (c.etcdCertFile.empty() != c.etcdKeyFile.empty())
    return Status::InvalidArgument("--etcd-cert and --etcd-key: give both or neither");
  if (c.ledgerRepair) return Status::InvalidArgument("--ledger-repair: only applies to --ledger-backend local");
  const bool https = c.etcdEndpoints.find("https://") != std::string::npos;
  if (!https && (!c.etcdCaFile.empty() || !c.etcdCertFile.empty()))
    return Status::InvalidArgument("--etcd-cacert/--etcd-cert/--etcd-key: need https:// --etcd-endpoints");
  return Status::Ok();
}

}  // namespace

Result<ParsedFlags> parseFlags(const std::vector<std::string_view>& args) {
  ParsedFlags out;
  out.config.server.threads = defaultThreads();
  auto action = parseFlagTable(flagTable(), args, out.config);
  if (!action.ok()) return action.status();
  if (*action == FlagAction::kHelp) {
    out.action = ParsedFlags::Action::kHelp;
    return out;
  }
  if (*action == FlagAction::kVersion) {
    out.action = ParsedFlags::Action::kVersion;
    return out;
  }
  const auto& tls = out.config.tls;
  if (tls.certPath.empty()) return Status::InvalidArgument("--tls-cert: required");
  if (tls.keyPath.empty()) return Status::InvalidArgument("--tls-key: required");
  if (!out.config.agentAuth.hs256KeyFile.empty() && !out.config.agentAuth.jwksFile.empty())
    return Status::InvalidArgument("--agent-hs256-key and --agent-jwks: give one, not both");
  MIGWARDEN_RETURN_IF_ERROR(checkLedgerBackend(out.config));
  return out;
}

std::string helpText() {
  std::string out =
      "usage: migwarden-webhook --tls-cert FILE --tls-key FILE [flags]\n\n"
      "The migwarden admission webhook: POST /mutate and /validate (AdmissionReview) over TLS,\n"
      "health and Prometheus metrics over plain HTTP. Flags take --name VALUE or --name=VALUE.\n"
      "Durations need a unit: 500ms, 10s, 2m, 1h, 1m30s.\n\nflags:\n";
  out += renderFlagHelp(flagTable());
  out += "\nExit status: 0 after a clean shutdown, 1 when startup fails, 2 for a bad command line.\n";
  return out;
}

}  // namespace migwarden::webhook
