// LocalStore: mutations, group commit, read-only latch and queries.
#include "webhook/ledger/local_store.h"

#include <spdlog/spdlog.h>

#include "webhook/ledger/local_store_metrics.h"
#include "webhook/ledger/log_writer.h"
#include "webhook/ledger/record_codec.h"

namespace migwarden::ledger {

LocalStore::Metrics::Metrics(MetricsRegistry& r) {
  for (ConflictKind k : kAllConflictKinds) {
    const MetricLabels labels{{"kind", std::string(conflictKindName(k))}};
    conflicts[k] = &r.gauge("migwarden_ledger_conflicts", "Conflicts the ledger currently holds, by kind", labels);
    conflictsDetected[k] = &r.counter("migwarden_ledger_conflicts_detected_total",
                                      "Conflicts newly seen in node reports, by kind", labels);
  }
  const char* reservationsHelp = "Reservation requests by outcome";
  reservationsGranted = &r.counter("migwarden_ledger_reservations_total", reservationsHelp, {{"outcome", "granted"}});
  reservationsRetried = &r.counter("migwarden_ledger_reservations_total", reservationsHelp, {{"outcome", "retry"}});
  reservationsDenied = &r.counter("migwarden_ledger_reservations_total", reservationsHelp, {{"outcome", "denied"}});
  reservationsExpired = &r.counter("migwarden_ledger_reservations_expired_total", "Reservations released by TTL");
  reportsApplied = &r.counter("migwarden_ledger_node_reports_total", "Node reports", {{"outcome", "applied"}});
  reportsStale = &r.counter("migwarden_ledger_node_reports_total", "Node reports", {{"outcome", "stale"}});
  logRecords = &r.counter("migwarden_ledger_log_records_total", "Records written to the ledger log");
  logSyncs = &r.counter("migwarden_ledger_log_syncs_total", "fsyncs of the ledger log (group commits)");
  snapshots = &r.counter("migwarden_ledger_snapshots_total", "Ledger snapshots written");
  snapshotFailures = &r.counter("migwarden_ledger_snapshot_failures_total", "Ledger snapshots that failed");
  readOnly = &r.gauge("migwarden_ledger_read_only", "1 once a write failure latched the ledger read-only");
}

LocalStore::LocalStore(LocalStoreOptions options)
    : options_(std::move(options)),
      logPath_(options_.dir + "/" + kLogName),
      snapshotPath_(options_.dir + "/" + kSnapshotName) {
  if (options_.metrics != nullptr) metrics_ = std::make_unique<Metrics>(*options_.metrics);
}

LocalStore::~LocalStore() {
  WriteLock lock(mu_);
  committed_.wait(lock, [this] { return !syncing_; });
  if (log_) (void)log_->close();
}

uint64_t LocalStore::queue(log::RecordType type, std::string_view body) {
  const uint64_t seq = ++appendedSeq_;
  std::string payload;
  payload.reserve(8 + body.size());
  log::putFixed64(payload, seq);
  payload.append(body);
  log::appendRecord(buffer_, type, payload);
  if (metrics_) metrics_->logRecords->inc();
  return seq;
}

Status LocalStore::commit(WriteLock& lock, uint64_t seq) {
  while (syncedSeq_ < seq) {
    if (!latched_.ok()) return latched_;
    if (syncing_) {
      committed_.wait(lock);
      continue;
    }
    // Lead a group commit: everything queued so far goes out with one fsync while the
    // lock is released, so other writers can queue behind it.
    syncing_ = true;
    std::string batch;
    batch.swap(buffer_);
    const uint64_t target = appendedSeq_;
    lock.unlock();
    Status s = log_->append(batch);
    if (s.ok()) s = log_->sync();
    lock.lock();
    syncing_ = false;
    if (s.ok()) {
      sinceSnapshot_ += target - syncedSeq_;
      syncedSeq_ = target;
      if (metrics_) metrics_->logSyncs->inc();
    } else {
      latch(s);
    }
    committed_.notify_all();
  }
  maybeSnapshot(lock);
  return Status::Ok();
}

void LocalStore::latch(const Status& cause) {
  if (!latched_.ok()) return;
  latched_ = Status::IOError("ledger is read-only after a failed write to " + logPath_ + ": " + cause.message());
  spdlog::error("{}", latched_.message());
  if (metrics_) metrics_->readOnly->set(1);
}

void LocalStore::publishConflicts(const ApplyOutcome& outcome) {
  for (const Conflict& c : outcome.newConflicts) {
    spdlog::warn("ledger: conflict {} on node {}: {}", conflictKindName(c.kind), c.node, c.message);
    if (metrics_) metrics_->conflictsDetected[c.kind]->inc();
  }
  if (!metrics_) return;
  for (const auto& [kind, n] : state_.conflictCounts()) metrics_->conflicts[kind]->set(static_cast<double>(n));
}

Result<ApplyOutcome> LocalStore::applyNodeReport(const NodeReport& report) {
  WriteLock lock(mu_);
  if (!latched_.ok()) return latched_;
  if (Status s = state_.checkReport(report); !s.ok()) {
    if (metrics_) metrics_->reportsStale->inc();
    return s;
  }
  const uint64_t seq = queue(log::RecordType::kNodeReport, encodeNodeReport(report));
  ApplyOutcome outcome = state_.applyReport(report);
  MIGWARDEN_RETURN_IF_ERROR(commit(lock, seq));
  publishConflicts(outcome);
  if (metrics_) metrics_->reportsApplied->inc();
  return outcome;
}

Status LocalStore::recordPending(const PendingPod& pod, bool dryRun) {
  WriteLock lock(mu_);
  if (!dryRun && !latched_.ok()) return latched_;
  MIGWARDEN_RETURN_IF_ERROR(state_.checkPending(pod));
  if (dryRun) return Status::Ok();
  const uint64_t seq = queue(log::RecordType::kPending, codec::encodePending(pod));
  state_.putPending(pod);
  return commit(lock, seq);
}

std::vector<std::string> LocalStore::expireLocked(TimePoint now) {
  std::vector<std::string> due = state_.dueReservations(now);
  if (due.empty()) return due;
  queue(log::RecordType::kExpiry, codec::encodeUids(due));
  for (const auto& uid : due) {
    spdlog::info("ledger: reservation of pod {} expired unconfirmed", uid);
    state_.dropReservation(uid);
  }
  if (metrics_) metrics_->reservationsExpired->inc(due.size());
  return due;
}

Result<ReserveOutcome> LocalStore::reserve(const ReserveRequest& request) {
  const TimePoint now = options_.clock->now();
  if (request.dryRun) {
    std::shared_lock lock(mu_);
    // A dry run does not log the expiry a real call would do first, so it still counts
    // reservations that are due; the real call can only be more permissive.
    return state_.decideReserve(request, now);
  }
  WriteLock lock(mu_);
  if (!latched_.ok()) return latched_;
  // Expire lazily too, so a slice held by an abandoned binding is never what denies.
  expireLocked(now);
  auto decision = state_.decideReserve(request, now);
  if (!decision.ok()) {
    if (metrics_) metrics_->reservationsDenied->inc();
    // An expiry record may be queued: make it durable before answering.
    if (syncedSeq_ < appendedSeq_) MIGWARDEN_RETURN_IF_ERROR(commit(lock, appendedSeq_));
    return decision;
  }
  if (decision->kind != ReserveOutcome::Kind::kReserved) {
    // A retry: the answer is only "the same" once what it repeats is durable.
    if (metrics_) metrics_->reservationsRetried->inc();
    MIGWARDEN_RETURN_IF_ERROR(commit(lock, appendedSeq_));
    return decision;
  }
  const uint64_t seq = queue(log::RecordType::kReservation, codec::encodeReservation(decision->reservation));
  state_.putReservation(decision->reservation);
  MIGWARDEN_RETURN_IF_ERROR(commit(lock, seq));
  if (metrics_) metrics_->reservationsGranted->inc();
  return decision;
}

Result<bool> LocalStore::release(std::string_view podUid) {
  WriteLock lock(mu_);
  if (!latched_.ok()) return latched_;
  const std::string uid(podUid);
  if (!state_.reservationOf(uid) && !state_.pendingOf(uid)) {
    MIGWARDEN_RETURN_IF_ERROR(commit(lock, appendedSeq_));
    return false;
  }
  const uint64_t seq = queue(log::RecordType::kRelease, codec::encodeUids({uid}));
  state_.release(uid);
  MIGWARDEN_RETURN_IF_ERROR(commit(lock, seq));
  return true;
}

Result<std::vector<std::string>> LocalStore::expireReservations(TimePoint now) {
  WriteLock lock(mu_);
  if (!latched_.ok()) return latched_;
  std::vector<std::string> expired = expireLocked(now);
  MIGWARDEN_RETURN_IF_ERROR(commit(lock, appendedSeq_));
  return expired;
}

int64_t LocalStore::freeSlices(std::string_view node, std::string_view resource) const {
  std::shared_lock lock(mu_);
  return state_.freeSlices(node, resource);
}

std::vector<std::string> LocalStore::nodesThatCouldTake(const ResourceCounts& needs) const {
  std::shared_lock lock(mu_);
  return state_.nodesThatCouldTake(needs);
}

std::optional<Reservation> LocalStore::reservationOf(std::string_view podUid) const {
  std::shared_lock lock(mu_);
  return state_.reservationOf(podUid);
}

std::optional<PendingPod> LocalStore::pendingOf(std::string_view podUid) const {
  std::shared_lock lock(mu_);
  return state_.pendingOf(podUid);
}

bool LocalStore::isReconfiguring(std::string_view node) const {
  std::shared_lock lock(mu_);
  return state_.isReconfiguring(node);
}

LedgerView LocalStore::view() const {
  std::shared_lock lock(mu_);
  LedgerView v = state_.view();
  v.readOnly = !latched_.ok();
  v.readOnlyReason = latched_.message();
  return v;
}

std::optional<std::pair<NodeReport, NodeSummary>> LocalStore::node(std::string_view name) const {
  std::shared_lock lock(mu_);
  return state_.node(name);
}

std::vector<Conflict> LocalStore::conflicts() const {
  std::shared_lock lock(mu_);
  return state_.conflicts();
}

Status LocalStore::health() const {
  std::shared_lock lock(mu_);
  return latched_;
}

}  // namespace migwarden::ledger
