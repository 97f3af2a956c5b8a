#include "webhook/cmd/webhook/policy_reloader.h"

#include <spdlog/spdlog.h>

#include "webhook/cmd/webhook/components.h"

namespace migwarden::webhook {

PolicyReloader::PolicyReloader(const WebhookConfig& config, policy::PolicyStore& store, Env& env,
                               MetricsRegistry& metrics)
    : config_(config),
      store_(store),
      env_(env),
      metrics_(metrics),
      detector_(config.policyPath.empty() ? std::vector<std::string>{} : std::vector<std::string>{config.policyPath}),
      reloads_(metrics.counter("migwarden_policy_reloads_total", "Policy artifacts reloaded after a file change")),
      failures_(metrics.counter("migwarden_policy_reload_failures_total",
                                "Changed policy artifacts that were refused (the previous table keeps serving)")) {
  publishDigest(store_.current()->digest());
}

void PolicyReloader::publishDigest(const std::string& digest) {
  if (digestGauge_) digestGauge_->set(0);
  digestGauge_ = &metrics_.gauge("migwarden_policy_info", "The active policy table (value 1) by digest",
                                 {{"digest", digest}});
  digestGauge_->set(1);
}

void PolicyReloader::check() {
  if (config_.policyPath.empty() || !detector_.changed()) return;
  auto next = loadPolicy(config_, env_);
  if (!next.ok()) {
    failures_.inc();
    spdlog::error("policy reload refused, keeping {}: {}", store_.current()->digest(), next.status().message());
    return;
  }
  if ((*next)->digest() == store_.current()->digest()) return;
  store_.replace(*next);
  reloads_.inc();
  publishDigest((*next)->digest());
  spdlog::info("policy reloaded: {}", (*next)->digest());
}

}  // namespace migwarden::webhook
