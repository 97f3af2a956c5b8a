// ReportLoop: building and pushing reports, the answer handling, and the --once paths.
#include <spdlog/spdlog.h>

#include "webhook/agent/report/report_loop.h"

namespace migwarden::agent {
namespace {

constexpr int kImmediateStaleResends = 3;

}  // namespace

using std::chrono::milliseconds;

ledger::NodeReport ReportLoop::buildReport() {
  const auto unhealthy = health_.unhealthy();
  ReportInputs inputs{*inventory_, *allocations_, unhealthy, migConfigState_, migModeChangePending_};
  ledger::NodeReport report = buildNodeReport(options_.identity, sequence_.take(), inputs);
  const InventoryCounts counts = countDevices(report);
  metrics_.gpus.set(static_cast<double>(counts.gpus));
  metrics_.migDevices.set(static_cast<double>(counts.migDevices));
  metrics_.unhealthyDevices.set(static_cast<double>(counts.unhealthyGpus + counts.unhealthyMigDevices));
  return report;
}

PushOutcome ReportLoop::push(TimePoint now) {
  const ledger::NodeReport report = buildReport();
  auto answer = sender_.send(report);
  const PushOutcome outcome = classifyAnswer(answer);
  if (outcome == PushOutcome::kAccepted) {
    metrics_.reportsSent.inc();
    metrics_.lastSuccessSeconds.set(
        std::chrono::duration<double>(clock_.now().time_since_epoch()).count());
    if (failuresInARow_ > 0)
      spdlog::info("report {} accepted by the ledger after {} failed attempts", report.sequence, failuresInARow_);
    else if (dirty_)
      spdlog::info("report {} accepted ({}): {} GPUs, {} allocations", report.sequence, dirtyWhy_, report.gpus.size(),
                   report.allocations.size());
    else
      spdlog::debug("heartbeat report {} accepted", report.sequence);
    {
      std::lock_guard lock(statusMu_);
      lastAccepted_ = now;
    }
    dirty_ = false;
    failuresInARow_ = 0;
    staleInARow_ = 0;
    backoff_.reset();
    nextHeartbeat_ = now + options_.interval;
    retryAt_ = now;
    return outcome;
  }
  metrics_.failure(outcome).inc();
  ++failuresInARow_;
  // The dirty flag stays set: whatever changed still has to reach the ledger.
  std::string why = answer.ok() ? "HTTP " + std::to_string(answer->status) + ": " + answerReason(answer->body)
                                : answer.status().message();
  if (outcome == PushOutcome::kStale) {
    const auto seen = answer.ok() ? lastAcceptedSequence(answer->body) : std::nullopt;
    if (seen) sequence_.jumpPast(*seen);
    else sequence_.jumpPast(sequence_.peek() + 1000);  // the server did not say: leap well ahead
  }
  scheduleRetry(now, outcome, why);
  return outcome;
}

void ReportLoop::scheduleRetry(TimePoint now, PushOutcome outcome, const std::string& why) {
  switch (outcome) {
    case PushOutcome::kStale:
      if (++staleInARow_ <= kImmediateStaleResends) {
        spdlog::warn("ledger refused report as stale ({}); resending with sequence {}", why, sequence_.peek());
        retryAt_ = now;
        return;
      }
      break;
    case PushOutcome::kUnauthorized:
    case PushOutcome::kForbidden: {
      std::uniform_int_distribution<int64_t> pick(options_.authRetryMin.count(),
                                                  std::max(options_.authRetryMin, options_.authRetryMax).count());
      const milliseconds delay(pick(random_));
      spdlog::error(
          "ledger refused the agent's token ({}): {}. Check --token-file (audience, expiry, node claim = {}) and the "
          "webhook's --agent-hs256-key/--agent-jwks; retrying in {}s",
          outcome == PushOutcome::kUnauthorized ? "401 unauthorized" : "403 forbidden", why,
          options_.identity.node, delay.count() / 1000);
      retryAt_ = now + delay;
      return;
    }
    default:
      break;
  }
  const milliseconds delay = backoff_.next();
  if (outcome == PushOutcome::kRejected)
    spdlog::error("ledger rejected the report (a bug in the agent or a version mismatch): {}; retrying in {}ms", why,
                  delay.count());
  else
    spdlog::warn("report not delivered ({}): {}; retrying in {}ms", pushOutcomeName(outcome), why, delay.count());
  retryAt_ = now + delay;
}

Result<ledger::NodeReport> ReportLoop::collectOnce(bool allowMissingAllocations) {
  if (!hardware_.inventory) MIGWARDEN_RETURN_IF_ERROR(openHardware());
  if (hardware_.openEvents) {
    // Events already pending (no waiting: one pass only).
    auto events = hardware_.openEvents();
    auto got = events.ok() ? (*events)->wait(milliseconds(0)) : Result<std::vector<HealthEvent>>(events.status());
    if (!got.ok()) spdlog::warn("NVML health events unavailable: {}", got.status().message());
    else
      for (const HealthEvent& e : *got) {
        metrics_.xidEvents.inc();
        health_.record(e);
      }
  }
  auto inv = hardware_.inventory->read();
  if (!inv.ok()) return inv.status().withContext("reading the GPU inventory");
  inventory_ = std::move(*inv);
  migModeChangePending_ = hardware_.migModeChangePending && hardware_.migModeChangePending();
  auto allocs = allocationSource_.list();
  if (!allocs.ok()) {
    if (!allowMissingAllocations) return allocs.status().withContext("listing the kubelet's allocations");
    spdlog::warn("kubelet pod-resources unavailable, reporting no allocations: {}", allocs.status().message());
    allocs = std::vector<ledger::Allocation>{};
  }
  allocations_ = std::move(*allocs);
  readMigConfigState();
  return buildReport();
}

Status ReportLoop::pushOnce() {
  auto collected = collectOnce(false);
  if (!collected.ok()) return collected.status();
  for (int attempt = 0;; ++attempt) {
    const TimePoint now = clock_.steadyNow();
    // push() builds its own report (with the next sequence) from what collectOnce read.
    const PushOutcome outcome = push(now);
    if (outcome == PushOutcome::kAccepted) return Status::Ok();
    if (outcome != PushOutcome::kStale || attempt >= kImmediateStaleResends)
      return Status::Unavailable("report not accepted: " + std::string(pushOutcomeName(outcome)) +
                                 " (see the log above)");
  }
}

}  // namespace migwarden::agent
