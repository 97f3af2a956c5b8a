#include "webhook/agent/report/health_event_pump.h"

#include <spdlog/spdlog.h>

#include <random>

#include "webhook/agent/report/backoff.h"

namespace migwarden::agent {

HealthEventPump::HealthEventPump(EventSourceFactory open, DeviceHealth& health, AgentMetrics& metrics,
                                 std::function<void()> onChange, HealthEventPumpOptions options)
    : open_(std::move(open)), health_(health), metrics_(metrics), onChange_(std::move(onChange)), options_(options) {}

HealthEventPump::~HealthEventPump() { stop(); }

void HealthEventPump::start() {
  if (!thread_.joinable()) thread_ = std::thread([this] { run(); });
}

void HealthEventPump::stop() {
  {
    std::lock_guard lock(mu_);
    stopped_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool HealthEventPump::pause(std::chrono::milliseconds d) {
  std::unique_lock lock(mu_);
  return !cv_.wait_for(lock, d, [this] { return stopped_; });
}

void HealthEventPump::run() {
  Backoff backoff(options_.reopenInitial, options_.reopenMax, std::random_device{}());
  std::unique_ptr<HealthEventSource> source;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (stopped_) return;
    }
    if (!source) {
      auto opened = open_();
      if (!opened.ok()) {
        const auto delay = backoff.next();
        spdlog::warn("NVML health events unavailable: {}; retrying in {}ms", opened.status().message(), delay.count());
        if (!pause(delay)) return;
        continue;
      }
      source = std::move(*opened);
      spdlog::info("NVML health events: watching for critical XID errors");
    }
    auto events = source->wait(options_.waitTimeout);
    if (!events.ok()) {
      const auto delay = backoff.next();
      spdlog::warn("NVML health event wait failed: {}; re-creating the event set in {}ms", events.status().message(),
                   delay.count());
      source.reset();
      if (!pause(delay)) return;
      continue;
    }
    backoff.reset();
    bool changed = false;
    for (const HealthEvent& e : *events) {
      metrics_.xidEvents.inc();
      if (health_.record(e)) {
        changed = true;
        spdlog::warn("device {} marked unhealthy (XID {}): {}", e.deviceUuid, e.xid, e.reason);
      } else {
        spdlog::info("device {}: another critical event (XID {}): {}", e.deviceUuid, e.xid, e.reason);
      }
    }
    if (changed) onChange_();
  }
}

}  // namespace migwarden::agent
