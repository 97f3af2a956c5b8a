// ReportLoop: the agent's main loop. Each pass (step()):
//   1. while NVML is not loaded, tries to open it every `nvmlRetryInterval` (the agent
//      starts on a node without the driver, says so, and keeps trying);
//   2. every `pollInterval`, reads the inventory, the kubelet's allocations and the MIG
//      config state label; a difference from the last pass marks the report dirty;
//   3. a device turned unhealthy (DeviceHealth) marks it dirty too;
//   4. pushes a full report when dirty or when the heartbeat `interval` has passed since
//      the last accepted one, unless a retry delay is running:
//        200      accepted; the heartbeat restarts;
//        409      stale sequence: jump past the ledger's value, resend a fresh report at
//                 once (three times in a row at most, then back off);
//        401/403  logged with the server's reason, retried slowly (authRetryMin..Max);
//        other    retried with jittered exponential backoff (retryInitial..retryMax).
// It never pushes before it has both an inventory and an allocation list: a report
// without them would tell the ledger the node lost its GPUs or freed its pods.
//
// Time comes from the injected Clock, and step() returns when the next pass is due, so
// tests drive the loop pass by pass with a FakeClock and no sleeps; run() is the real
// thread's wait-step loop, woken early by wake() (health events) and ended by stop().
//
// Thread-safety: step()/run()/collectOnce()/pushOnce() from one thread; wake(), stop()
// and readiness() from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "webhook/agent/report/agent_metrics.h"
#include "webhook/agent/report/backoff.h"
#include "webhook/agent/report/device_health.h"
#include "webhook/agent/report/health_event_pump.h"
#include "webhook/agent/report/report_builder.h"
#include "webhook/agent/report/report_sender.h"
#include "webhook/agent/report/sequence.h"
#include "webhook/agent/sources.h"
#include "webhook/common/clock.h"
#include "webhook/common/env.h"

namespace migwarden::agent {

// What opening NVML yields.
struct Hardware {
  std::unique_ptr<InventorySource> inventory;
  // Opens an event subscription (again after an error); empty when this NVML cannot
  // deliver events (optional symbols missing): devices then stay healthy.
  EventSourceFactory openEvents;
  // True while some GPU has a MIG mode change waiting for a reset; empty = never.
  std::function<bool()> migModeChangePending;
  std::string description;  // for the log: "NVML /usr/lib/.../libnvidia-ml.so.1"
};
using HardwareOpener = std::function<Result<Hardware>()>;

struct ReportLoopOptions {
  NodeIdentity identity;
  std::string migConfigState;      // fixed value (--mig-config-state); "" = unknown
  std::string migConfigStateFile;  // labels file (key="value" lines), re-read every poll
  std::chrono::milliseconds interval{10'000};
  std::chrono::milliseconds pollInterval{2'000};
  std::chrono::milliseconds nvmlRetryInterval{30'000};
  std::chrono::milliseconds retryInitial{1'000};
  std::chrono::milliseconds retryMax{60'000};
  std::chrono::milliseconds authRetryMin{30'000};
  std::chrono::milliseconds authRetryMax{60'000};
  // Ready while a report was accepted within readyWindow (default 3 x interval).
  std::optional<std::chrono::milliseconds> readyWindow;
  HealthEventPumpOptions pump;
  uint64_t seed = 0;  // jitter; the binary passes a random one
};

class ReportLoop {
 public:
  // Every reference must outlive the loop.
  ReportLoop(ReportLoopOptions options, const Clock& clock, Env& env, HardwareOpener openHardware,
             AllocationSource& allocations, ReportSender& sender, DeviceHealth& health, AgentMetrics& metrics);
  ~ReportLoop();
  ReportLoop(const ReportLoop&) = delete;
  ReportLoop& operator=(const ReportLoop&) = delete;

  // One pass; returns the (Clock::steadyNow-based) time the next pass is due.
  std::chrono::steady_clock::time_point step();
  // step() until stop(), waiting between passes (woken early by wake()).
  void run();
  void wake();
  void stop();

  // OK when NVML is loaded and a report was accepted within the ready window.
  Status readiness() const;

  // --once: opens NVML, reads everything fresh and builds the report with the next
  // sequence. Unavailable/… naming what could not be read. With `allowMissingAllocations`
  // (dry run), an unreachable kubelet gives an empty allocation list and a warning.
  Result<ledger::NodeReport> collectOnce(bool allowMissingAllocations);
  // --once: collectOnce() then push, resending on 409; OK when accepted.
  Status pushOnce();

  int64_t nextSequence() const { return sequence_.peek(); }

 private:
  using TimePoint = std::chrono::steady_clock::time_point;

  Status openHardware();
  void startHealthEvents();
  void poll();
  void readMigConfigState();
  bool canReport() const { return inventory_.has_value() && allocations_.has_value(); }
  ledger::NodeReport buildReport();
  // Sends one report and handles the answer; returns the outcome.
  PushOutcome push(TimePoint now);
  void scheduleRetry(TimePoint now, PushOutcome outcome, const std::string& why);
  TimePoint nextPass(TimePoint now) const;

  const ReportLoopOptions options_;
  const Clock& clock_;
  Env& env_;
  HardwareOpener openHardware_;
  AllocationSource& allocationSource_;
  ReportSender& sender_;
  DeviceHealth& health_;
  AgentMetrics& metrics_;

  Hardware hardware_;
  std::unique_ptr<HealthEventPump> pump_;
  std::optional<GpuInventory> inventory_;
  std::optional<std::vector<ledger::Allocation>> allocations_;
  std::string migConfigState_;
  bool migModeChangePending_ = false;
  uint64_t healthSeen_ = 0;
  bool dirty_ = true;
  std::string dirtyWhy_ = "first report";
  SequenceCounter sequence_;
  Backoff backoff_;
  std::mt19937_64 random_;
  int staleInARow_ = 0;
  int failuresInARow_ = 0;
  bool inventoryFailing_ = false;
  bool allocationsFailing_ = false;
  bool labelFailing_ = false;
  TimePoint nextNvmlAttempt_{};
  TimePoint nextPoll_{};
  TimePoint nextHeartbeat_{};
  TimePoint retryAt_{};

  mutable std::mutex statusMu_;
  std::string nvmlProblem_ = "not loaded yet";        // guarded by statusMu_; "" once loaded
  std::optional<TimePoint> lastAccepted_;             // guarded by statusMu_

  std::mutex wakeMu_;
  std::condition_variable wakeCv_;
  bool woken_ = false;    // guarded by wakeMu_
  bool stopped_ = false;  // guarded by wakeMu_
};

}  // namespace migwarden::agent
