// Re-reads --policy when the file changes (symlink swaps of a mounted ConfigMap included)
// and swaps the new table in atomically; an invalid new artifact is refused, logged and
// counted, and the old table keeps serving. Also exports the active digest in /metrics
// as migwarden_policy_info{digest="sha256:..."} 1.
//
// Thread-safety: check() runs on one thread (a PeriodicTask); PolicyStore is thread-safe.
#pragma once

#include <string>

#include "webhook/cmd/webhook/flags.h"
#include "webhook/common/env.h"
#include "webhook/common/file_watch.h"
#include "webhook/common/metrics.h"
#include "webhook/policy/policy_store.h"

namespace migwarden::webhook {

class PolicyReloader {
 public:
  // All references must outlive the reloader.
  PolicyReloader(const WebhookConfig& config, policy::PolicyStore& store, Env& env, MetricsRegistry& metrics);

  // Reloads when --policy changed since the last call. No-op for the built-in table.
  void check();

 private:
  void publishDigest(const std::string& digest);

  const WebhookConfig& config_;
  policy::PolicyStore& store_;
  Env& env_;
  MetricsRegistry& metrics_;
  FileChangeDetector detector_;
  Counter& reloads_;
  Counter& failures_;
  Gauge* digestGauge_ = nullptr;
};

}  // namespace migwarden::webhook
