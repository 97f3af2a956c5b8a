#include "webhook/agent/report/report_loop.h"

#include <spdlog/spdlog.h>

#include "webhook/agent/report/node_facts.h"

namespace migwarden::agent {

using std::chrono::milliseconds;

ReportLoop::ReportLoop(ReportLoopOptions options, const Clock& clock, Env& env, HardwareOpener openHardware,
                       AllocationSource& allocations, ReportSender& sender, DeviceHealth& health,
                       AgentMetrics& metrics)
    : options_(std::move(options)),
      clock_(clock),
      env_(env),
      openHardware_(std::move(openHardware)),
      allocationSource_(allocations),
      sender_(sender),
      health_(health),
      metrics_(metrics),
      migConfigState_(options_.migConfigState),
      sequence_(SequenceCounter::startingAtWallClock(clock)),
      backoff_(options_.retryInitial, options_.retryMax, options_.seed),
      random_(options_.seed + 1) {
  const auto now = clock_.steadyNow();
  nextNvmlAttempt_ = nextPoll_ = nextHeartbeat_ = retryAt_ = now;
}

ReportLoop::~ReportLoop() {
  if (pump_) pump_->stop();
}

Status ReportLoop::openHardware() {
  auto opened = openHardware_();
  if (!opened.ok()) {
    std::lock_guard lock(statusMu_);
    nvmlProblem_ = opened.status().message();
    return opened.status();
  }
  hardware_ = std::move(*opened);
  metrics_.nvmlLoaded.set(1);
  {
    std::lock_guard lock(statusMu_);
    nvmlProblem_.clear();
  }
  spdlog::info("NVML loaded: {}", hardware_.description);
  return Status::Ok();
}

void ReportLoop::startHealthEvents() {
  if (!hardware_.openEvents) {
    spdlog::warn("NVML cannot deliver health events on this driver: devices are reported healthy");
    return;
  }
  pump_ = std::make_unique<HealthEventPump>(hardware_.openEvents, health_, metrics_, [this] { wake(); }, options_.pump);
  pump_->start();
}

void ReportLoop::readMigConfigState() {
  if (options_.migConfigStateFile.empty()) return;
  auto contents = env_.readFile(options_.migConfigStateFile);
  Result<std::string> state =
      contents.ok() ? parseLabelsFile(*contents, kMigConfigStateLabel) : Result<std::string>(contents.status());
  if (!state.ok()) {
    if (!labelFailing_)
      spdlog::warn("--mig-config-state-file {}: {}; keeping migConfigState \"{}\"", options_.migConfigStateFile,
                   state.status().message(), migConfigState_);
    labelFailing_ = true;
    return;
  }
  labelFailing_ = false;
  if (*state != migConfigState_) {
    spdlog::info("MIG config state label changed: \"{}\" -> \"{}\"", migConfigState_, *state);
    migConfigState_ = std::move(*state);
    dirty_ = true;
    dirtyWhy_ = "MIG config state changed";
  }
}

void ReportLoop::poll() {
  if (hardware_.inventory) {
    auto inv = hardware_.inventory->read();
    if (!inv.ok()) {
      metrics_.inventoryReadFailures.inc();
      if (!inventoryFailing_) spdlog::warn("NVML inventory read failed (keeping the last one): {}", inv.status().message());
      inventoryFailing_ = true;
    } else {
      if (inventoryFailing_) spdlog::info("NVML inventory readable again");
      inventoryFailing_ = false;
      if (!inventory_ || inventory_->gpus != inv->gpus || inventory_->driverVersion != inv->driverVersion ||
          inventory_->cudaDriverVersion != inv->cudaDriverVersion) {
        if (inventory_) spdlog::info("GPU inventory changed: {} GPUs", inv->gpus.size());
        dirty_ = true;
        dirtyWhy_ = "inventory changed";
      }
      inventory_ = std::move(*inv);
    }
    const bool pending = hardware_.migModeChangePending && hardware_.migModeChangePending();
    if (pending != migModeChangePending_) {
      migModeChangePending_ = pending;
      dirty_ = true;
      dirtyWhy_ = pending ? "MIG mode change pending" : "MIG mode change applied";
    }
  }
  auto allocs = allocationSource_.list();
  if (!allocs.ok()) {
    metrics_.allocationListFailures.inc();
    if (!allocationsFailing_)
      spdlog::warn("kubelet pod-resources unavailable (keeping the last allocations): {}", allocs.status().message());
    allocationsFailing_ = true;
  } else {
    if (allocationsFailing_) spdlog::info("kubelet pod-resources reachable again");
    allocationsFailing_ = false;
    if (!allocations_ || *allocations_ != *allocs) {
      dirty_ = true;
      dirtyWhy_ = "allocations changed";
      metrics_.allocations.set(static_cast<double>(allocs->size()));
    }
    allocations_ = std::move(*allocs);
  }
  readMigConfigState();
}

std::chrono::steady_clock::time_point ReportLoop::step() {
  const TimePoint now = clock_.steadyNow();
  if (!hardware_.inventory && now >= nextNvmlAttempt_) {
    if (auto s = openHardware(); s.ok()) {
      startHealthEvents();
    } else {
      nextNvmlAttempt_ = now + options_.nvmlRetryInterval;
      spdlog::error("NVML is missing, no GPU inventory can be reported: {} (retrying every {}ms)", s.message(),
                    options_.nvmlRetryInterval.count());
    }
  }
  if (now >= nextPoll_) {
    poll();
    nextPoll_ = now + options_.pollInterval;
  }
  if (const uint64_t v = health_.version(); v != healthSeen_) {
    healthSeen_ = v;
    dirty_ = true;
    dirtyWhy_ = "device health changed";
  }
  if (canReport() && now >= retryAt_ && (dirty_ || now >= nextHeartbeat_)) push(now);
  return nextPass(now);
}

ReportLoop::TimePoint ReportLoop::nextPass(TimePoint now) const {
  TimePoint next = nextPoll_;
  if (!hardware_.inventory) next = std::min(next, nextNvmlAttempt_);
  if (canReport()) next = std::min(next, std::max(retryAt_, dirty_ ? now : nextHeartbeat_));
  return std::max(next, now);
}

void ReportLoop::run() {
  std::unique_lock lock(wakeMu_);
  while (!stopped_) {
    lock.unlock();
    const TimePoint next = step();
    lock.lock();
    const auto wait = std::chrono::duration_cast<milliseconds>(next - clock_.steadyNow());
    if (wait.count() > 0) wakeCv_.wait_for(lock, wait, [this] { return stopped_ || woken_; });
    woken_ = false;
  }
}

void ReportLoop::wake() {
  {
    std::lock_guard lock(wakeMu_);
    woken_ = true;
  }
  wakeCv_.notify_all();
}

void ReportLoop::stop() {
  {
    std::lock_guard lock(wakeMu_);
    stopped_ = true;
  }
  wakeCv_.notify_all();
}

Status ReportLoop::readiness() const {
  std::lock_guard lock(statusMu_);
  if (!nvmlProblem_.empty()) return Status::Unavailable("NVML not loaded: " + nvmlProblem_);
  if (!lastAccepted_) return Status::Unavailable("no report accepted by the ledger yet");
  const milliseconds window = options_.readyWindow.value_or(3 * options_.interval);
  const auto age = std::chrono::duration_cast<milliseconds>(clock_.steadyNow() - *lastAccepted_);
  if (age > window)
    return Status::Unavailable("last report accepted " + std::to_string(age.count() / 1000) + "s ago (more than " +
                               std::to_string(window.count() / 1000) + "s)");
  return Status::Ok();
}

}  // namespace migwarden::agent
