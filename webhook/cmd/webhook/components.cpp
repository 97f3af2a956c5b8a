#include "webhook/cmd/webhook/components.h"

#include <spdlog/spdlog.h>

#include "webhook/policy/artifact.h"
#ifdef MIGWARDEN_HAS_LEDGER_ETCD
#include "webhook/ledger/etcd/etcd_endpoint.h"
#include "webhook/ledger/etcd/etcd_store.h"
#endif
#include "webhook/policy/builtin.h"

namespace migwarden::webhook {

Result<std::shared_ptr<const policy::Policy>> loadPolicy(const WebhookConfig& config, Env& env) {
  if (config.policyPath.empty()) {
    if (!config.policyPubkeyPath.empty())
      return Status::InvalidArgument("--policy-pubkey: needs --policy (the built-in table is not signed)");
    auto builtin = policy::loadBuiltinPolicy();
    if (!builtin.ok()) return builtin.status().withContext("built-in policy");
    spdlog::info("policy: built-in table {}", (*builtin)->digest());
    return builtin;
  }
  auto bytes = env.readFile(config.policyPath);
  if (!bytes.ok()) return bytes.status().withContext("--policy " + config.policyPath);
  policy::ArtifactLoadOptions options;
  if (!config.policyPubkeyPath.empty()) {
    auto key = env.readFile(config.policyPubkeyPath);
    if (!key.ok()) return key.status().withContext("--policy-pubkey " + config.policyPubkeyPath);
    options.requiredPublicKeyPem = std::move(*key);
  }
  auto loaded = policy::loadArtifact(*bytes, config.policyPath, options);
  if (!loaded.ok()) return loaded.status().withContext("--policy");
  spdlog::info("policy: {} {}{}", config.policyPath, (*loaded)->digest(),
               config.policyPubkeyPath.empty() ? "" : " (signature verified)");
  return loaded;
}

namespace {

Result<std::unique_ptr<ledger::Store>> openEtcdLedger(const WebhookConfig& config, const Clock& clock,
                                                     MetricsRegistry& metrics) {
#ifdef MIGWARDEN_HAS_LEDGER_ETCD
  auto endpoints = ledger::etcd::parseEndpoints(config.etcdEndpoints);
  if (!endpoints.ok()) return endpoints.status();
  ledger::etcd::EtcdStoreOptions options;
  options.client.endpoints = std::move(*endpoints);
  options.client.caFile = config.etcdCaFile;
  options.client.certFile = config.etcdCertFile;
  options.client.keyFile = config.etcdKeyFile;
  options.prefix = config.etcdPrefix;
  options.clock = &clock;
  options.metrics = &metrics;
  auto store = ledger::etcd::EtcdStore::open(std::move(options));
  if (!store.ok()) return store.status().withContext("--ledger-backend etcd");
  spdlog::info("ledger: etcd backend at {} under prefix {} ({})", config.etcdEndpoints, config.etcdPrefix,
               (*store)->health().ok() ? "synchronised" : "not reachable yet: " + (*store)->health().message());
  return std::unique_ptr<ledger::Store>(std::move(store).value());
#else
  (void)config;
  (void)clock;
  (void)metrics;
  return Status::InvalidArgument("--ledger-backend etcd: this build has no etcd backend (module ledger_etcd)");
#endif
}

}  // namespace

Result<std::unique_ptr<ledger::Store>> openLedger(const WebhookConfig& config, Env& env, const Clock& clock,
                                                 MetricsRegistry& metrics) {
  if (config.ledgerBackend == "etcd") return openEtcdLedger(config, clock, metrics);
  ledger::LocalStoreOptions options;
  options.dir = config.ledgerDir;
  options.env = &env;
  options.clock = &clock;
  options.metrics = &metrics;
  options.repair = config.ledgerRepair;
  auto store = ledger::LocalStore::open(options);
  if (!store.ok()) return store.status().withContext("--ledger-dir " + config.ledgerDir);
  const ledger::RecoveryInfo& info = (*store)->recoveryInfo();
  spdlog::info("ledger: {} recovered (snapshot at {}, {} records replayed, last sequence {})", config.ledgerDir,
               info.snapshotSequence, info.recordsReplayed, info.lastSequence);
  if (info.tornBytesDropped > 0)
    spdlog::warn("ledger: dropped a torn tail of {} bytes (a write cut by a crash; it was never acknowledged)",
                 info.tornBytesDropped);
  if (info.corruptBytesDropped > 0)
    spdlog::error("ledger: --ledger-repair cut {} bytes of damaged log: {}", info.corruptBytesDropped, info.damage);
  return std::unique_ptr<ledger::Store>(std::move(store).value());
}

Result<std::unique_ptr<auth::TokenVerifier>> makeAgentVerifier(const WebhookConfig& config, const Clock& clock) {
  if (config.agentAuth.hs256KeyFile.empty() && config.agentAuth.jwksFile.empty()) {
    spdlog::warn("agent authentication is off (no --agent-hs256-key or --agent-jwks): the ledger API answers 503");
    return std::unique_ptr<auth::TokenVerifier>();
  }
  auto verifier = auth::makeTokenVerifier(config.agentAuth, clock);
  if (!verifier.ok()) return verifier.status();
  spdlog::info("agent authentication: {} (audience {})",
               config.agentAuth.jwksFile.empty() ? "HS256 key " + config.agentAuth.hs256KeyFile
                                                 : "JWKS " + config.agentAuth.jwksFile,
               config.agentAuth.audience);
  return verifier;
}

Result<std::unique_ptr<audit::AuditLog>> openAuditLog(const WebhookConfig& config, Env& env, const Clock& clock,
                                                     MetricsRegistry& metrics) {
  if (config.auditLog.empty()) {
    if (!config.auditHmacKeyPath.empty()) return Status::InvalidArgument("--audit-hmac-key: needs --audit-log");
    spdlog::warn("audit log is off (no --audit-log): decisions are only in the apiserver's own audit log");
    return std::unique_ptr<audit::AuditLog>();
  }
  audit::AuditLogOptions options;
  options.path = config.auditLog;
  options.maxFileBytes = config.auditMaxBytes;
  options.keepRotated = config.auditKeep;
  options.failureMode = *audit::parseAuditFailureMode(config.auditFailure);  // validated by the flag
  if (!config.auditHmacKeyPath.empty()) {
    auto key = audit::loadHmacKeyFile(config.auditHmacKeyPath);
    if (!key.error.empty()) return Status::InvalidArgument("--audit-hmac-key: " + key.error);
    options.hmacKey = std::move(key.key);
  }
  auto log = audit::AuditLog::open(options, env, clock, metrics);
  if (!log.ok()) return log.status().withContext("--audit-log " + config.auditLog);
  const auto& resume = (*log)->resumeInfo();
  spdlog::info("audit log: {} ({}, failure mode {}), chain resumes after seq {}", config.auditLog,
               options.hmacKey.empty() ? "SHA-256" : "HMAC-SHA256", config.auditFailure, resume.lastSeq);
  return log;
}

}  // namespace migwarden::webhook
