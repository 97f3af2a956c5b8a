// HealthEventPump: the agent's NVML event thread. Blocks in HealthEventSource::wait()
// (bounded, so stop() is seen within one `waitTimeout`), records every critical event in
// DeviceHealth and tells the report loop (onChange) so the next report goes out at once
// instead of at the next heartbeat. When the event set breaks it is re-created with
// jittered backoff; a broken event set does not by itself make any device unhealthy.
//
// Thread-safety: start() and stop() from the owning thread; the callback runs on the
// pump's thread and must be thread-safe.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "webhook/agent/report/agent_metrics.h"
#include "webhook/agent/report/device_health.h"
#include "webhook/agent/sources.h"

namespace migwarden::agent {

using EventSourceFactory = std::function<Result<std::unique_ptr<HealthEventSource>>()>;

struct HealthEventPumpOptions {
  std::chrono::milliseconds waitTimeout{1000};
  std::chrono::milliseconds reopenInitial{1000};
  std::chrono::milliseconds reopenMax{60'000};
};

class HealthEventPump {
 public:
  // `health`, `metrics` must outlive the pump. `onChange` runs after a device turned
  // unhealthy.
  HealthEventPump(EventSourceFactory open, DeviceHealth& health, AgentMetrics& metrics, std::function<void()> onChange,
                  HealthEventPumpOptions options = {});
  ~HealthEventPump();  // stop()
  HealthEventPump(const HealthEventPump&) = delete;
  HealthEventPump& operator=(const HealthEventPump&) = delete;

  void start();
  // Returns once the thread has left wait() (at most one waitTimeout later).
  void stop();

 private:
  void run();
  // Waits up to `d` unless stopped; false when stopped.
  bool pause(std::chrono::milliseconds d);

  EventSourceFactory open_;
  DeviceHealth& health_;
  AgentMetrics& metrics_;
  std::function<void()> onChange_;
  const HealthEventPumpOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;  // guarded by mu_
  std::thread thread_;
};

}  // namespace migwarden::agent
