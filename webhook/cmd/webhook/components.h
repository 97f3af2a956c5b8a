// Startup of the components behind the transport: the policy table, the ledger and the
// agent-token verifier. Each function turns flags into a ready component or a Status
// that names the flag and the reason; main() only calls them in order.
#pragma once

#include <memory>

#include "webhook/audit/audit_log.h"
#include "webhook/auth/token_verifier.h"
#include "webhook/cmd/webhook/flags.h"
#include "webhook/common/clock.h"
#include "webhook/common/env.h"
#include "webhook/common/metrics.h"
#include "webhook/ledger/local_store.h"
#include "webhook/policy/policy.h"

namespace migwarden::webhook {

// --policy (a compiled artifact, optionally signature-checked with --policy-pubkey) or
// the built-in table. Logs the digest in use.
Result<std::shared_ptr<const policy::Policy>> loadPolicy(const WebhookConfig& config, Env& env);

// The ledger for --ledger-backend: local opens (creating if needed) --ledger-dir and
// logs what recovery did; etcd connects to --etcd-endpoints under --etcd-prefix (an
// unreachable etcd is not a startup error: the store starts unready, /readyz says why,
// and it connects when etcd answers).
Result<std::unique_ptr<ledger::Store>> openLedger(const WebhookConfig& config, Env& env, const Clock& clock,
                                                 MetricsRegistry& metrics);

// The agent-token verifier, or null when neither --agent-hs256-key nor --agent-jwks is
// set (the ledger API then answers 503 and says how to enable it).
Result<std::unique_ptr<auth::TokenVerifier>> makeAgentVerifier(const WebhookConfig& config, const Clock& clock);

// The audit log from --audit-log and friends, or null when --audit-log is not set.
Result<std::unique_ptr<audit::AuditLog>> openAuditLog(const WebhookConfig& config, Env& env, const Clock& clock,
                                                     MetricsRegistry& metrics);

}  // namespace migwarden::webhook
