// LocalStore: opening, recovery (snapshot + log replay) and snapshots.
#include <spdlog/spdlog.h>

#include "webhook/ledger/local_store.h"
#include "webhook/ledger/local_store_metrics.h"
#include "webhook/ledger/log_reader.h"
#include "webhook/ledger/log_writer.h"
#include "webhook/ledger/record_codec.h"

namespace migwarden::ledger {

Result<std::unique_ptr<LocalStore>> LocalStore::open(LocalStoreOptions options) {
  if (options.env == nullptr || options.clock == nullptr) {
    return Status::InvalidArgument("LocalStore needs an Env and a Clock");
  }
  if (options.dir.empty()) return Status::InvalidArgument("ledger directory must not be empty");
  std::unique_ptr<LocalStore> store(new LocalStore(std::move(options)));
  MIGWARDEN_RETURN_IF_ERROR(store->recover());
  return store;
}

Status LocalStore::recover() {
  Env& env = *options_.env;
  MIGWARDEN_RETURN_IF_ERROR(env.createDirs(options_.dir));
  auto lock = env.lockFile(options_.dir + "/LOCK");
  if (!lock.ok()) {
    return Status(lock.status().code(),
                  "ledger directory " + options_.dir + " is in use (one process at a time; is another webhook "
                  "running on it?): " + lock.status().message());
  }
  dirLock_ = std::move(lock).value();
  // A crash during writeFileAtomically leaves the temp file; the real one is intact.
  if (env.fileExists(snapshotPath_ + ".tmp")) MIGWARDEN_RETURN_IF_ERROR(env.removeFile(snapshotPath_ + ".tmp"));
  MIGWARDEN_RETURN_IF_ERROR(loadSnapshot());
  MIGWARDEN_RETURN_IF_ERROR(replayLog());
  auto file = env.newAppendableFile(logPath_);
  if (!file.ok()) return file.status();
  log_ = std::move(file).value();
  MIGWARDEN_RETURN_IF_ERROR(env.syncDir(options_.dir));
  appendedSeq_ = syncedSeq_ = recovery_.lastSequence;
  ApplyOutcome all;
  all.conflicts = state_.conflicts();
  publishConflicts(all);
  spdlog::info("ledger: recovered {} (snapshot at sequence {}, {} log records replayed, last sequence {})",
               options_.dir, recovery_.snapshotSequence, recovery_.recordsReplayed, recovery_.lastSequence);
  return Status::Ok();
}

Status LocalStore::loadSnapshot() {
  Env& env = *options_.env;
  if (!env.fileExists(snapshotPath_)) return Status::Ok();
  auto data = env.readFile(snapshotPath_);
  if (!data.ok()) return data.status();
  log::Reader reader(*data);
  log::Record record;
  // The snapshot is replaced atomically, so any damage is real corruption: no repair.
  if (reader.next(&record) != log::Reader::Next::kRecord || record.type != log::RecordType::kSnapshot ||
      reader.next(&record) != log::Reader::Next::kEnd) {
    return Status::Corruption("ledger snapshot " + snapshotPath_ + " is damaged: " +
                              (reader.error().empty() ? std::string("unexpected records") : reader.error()));
  }
  // `record` still holds the snapshot: the kEnd check leaves it untouched.
  auto seq = codec::decodeSnapshot(record.payload, &state_);
  if (!seq.ok()) return Status::Corruption("ledger snapshot " + snapshotPath_ + ": " + seq.status().message());
  recovery_.snapshotSequence = recovery_.lastSequence = *seq;
  return Status::Ok();
}

Status LocalStore::replayLog() {
  Env& env = *options_.env;
  if (!env.fileExists(logPath_)) return Status::Ok();
  auto data = env.readFile(logPath_);
  if (!data.ok()) return data.status();
  log::Reader reader(*data);
  log::Record record;
  uint64_t validEnd = 0;
  std::string damage;
  bool torn = false;
  for (;;) {
    auto next = reader.next(&record);
    if (next == log::Reader::Next::kEnd) break;
    if (next == log::Reader::Next::kTornTail) {
      torn = true;
      damage = reader.error();
      break;
    }
    if (next == log::Reader::Next::kCorruption) {
      damage = reader.error();
      break;
    }
    Status applied = Status::Ok();
    uint64_t seq = 0;
    if (record.payload.size() < 8 || record.type == log::RecordType::kSnapshot) {
      applied = Status::Corruption("malformed record");
    } else {
      seq = log::decodeFixed64(record.payload.data());
      if (seq <= recovery_.snapshotSequence) {  // already in the snapshot
        validEnd = reader.offset();
        continue;
      }
      if (seq <= recovery_.lastSequence) {
        applied = Status::Corruption("sequence " + std::to_string(seq) + " does not follow " +
                                     std::to_string(recovery_.lastSequence));
      } else {
        applied = applyRecord(record.type, record.payload.substr(8));
      }
    }
    if (!applied.ok()) {
      damage = "offset " + std::to_string(record.offset) + ": " + applied.message();
      break;
    }
    recovery_.lastSequence = seq;
    ++recovery_.recordsReplayed;
    validEnd = reader.offset();
  }
  recovery_.damage = damage;
  const uint64_t dropped = data->size() - validEnd;
  if (dropped == 0) return Status::Ok();
  if (torn) {
    recovery_.tornBytesDropped = dropped;
    spdlog::warn("ledger: dropping {} bytes of a torn final log record ({}); it was never acknowledged", dropped,
                 damage);
  } else if (!options_.repair) {
    return Status::Corruption("ledger log " + logPath_ + " is corrupt at " + damage + " (" + std::to_string(dropped) +
                              " bytes from there on); restart with --ledger-repair to drop them");
  } else {
    recovery_.corruptBytesDropped = dropped;
    spdlog::error("ledger: repair: dropping {} bytes of the log from the corruption at {}", dropped, damage);
  }
  // Appending after garbage would turn a dropped tail into mid-log corruption next time.
  return env.truncateFile(logPath_, validEnd);
}

Status LocalStore::applyRecord(log::RecordType type, std::string_view body) {
  switch (type) {
    case log::RecordType::kNodeReport: {
      NodeReportLimits unlimited{SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX, SIZE_MAX};
      auto report = parseNodeReport(body, unlimited);
      if (!report.ok()) return report.status();
      (void)state_.applyReport(std::move(report).value());
      return Status::Ok();
    }
    case log::RecordType::kPending: {
      auto pod = codec::decodePending(body);
      if (!pod.ok()) return pod.status();
      state_.putPending(std::move(pod).value());
      return Status::Ok();
    }
    case log::RecordType::kReservation: {
      auto r = codec::decodeReservation(body);
      if (!r.ok()) return r.status();
      state_.putReservation(std::move(r).value());
      return Status::Ok();
    }
    case log::RecordType::kRelease:
    case log::RecordType::kExpiry: {
      auto uids = codec::decodeUids(body);
      if (!uids.ok()) return uids.status();
      for (const auto& uid : *uids) {
        if (type == log::RecordType::kRelease) {
          state_.release(uid);
        } else {
          state_.dropReservation(uid);
        }
      }
      return Status::Ok();
    }
    case log::RecordType::kSnapshot: break;
  }
  return Status::Corruption("unexpected record type");
}

Status LocalStore::compact() {
  WriteLock lock(mu_);
  committed_.wait(lock, [this] { return !syncing_; });
  if (!latched_.ok()) return latched_;
  // Flush anything queued so the snapshot never covers a record that is not on disk yet.
  if (syncedSeq_ < appendedSeq_) MIGWARDEN_RETURN_IF_ERROR(commit(lock, appendedSeq_));
  committed_.wait(lock, [this] { return !syncing_; });
  return snapshotLocked();
}

Result<LedgerDump> LocalStore::exportLedger() const {
  std::shared_lock lock(mu_);
  LedgerDump dump;
  for (const auto& [name, n] : state_.nodes()) dump.nodes.push_back(n.report);
  dump.reservations = state_.reservations();
  dump.pending = state_.pendingPods();
  return dump;
}

Status LocalStore::importLedger(const LedgerDump& dump) {
  WriteLock lock(mu_);
  committed_.wait(lock, [this] { return !syncing_; });
  if (!latched_.ok()) return latched_;
  if (!state_.nodes().empty() || !state_.reservations().empty() || !state_.pendingPods().empty() ||
      appendedSeq_ != syncedSeq_)
    return Status::FailedPrecondition("ledger " + options_.dir + " is not empty: import needs an empty ledger");
  LedgerState imported;
  for (const PendingPod& p : dump.pending) imported.putPending(p);
  for (const Reservation& r : dump.reservations) imported.putReservation(r);
  for (const NodeReport& n : dump.nodes) imported.restoreNode(n);
  LedgerState previous = std::move(state_);
  state_ = std::move(imported);
  if (Status s = snapshotLocked(); !s.ok()) {
    state_ = std::move(previous);
    return s;
  }
  return Status::Ok();
}

void LocalStore::maybeSnapshot(WriteLock& lock) {
  (void)lock;
  if (options_.snapshotEveryRecords == 0 || sinceSnapshot_ < options_.snapshotEveryRecords) return;
  if (syncing_ || !buffer_.empty() || !latched_.ok()) return;  // the next committer will try again
  (void)snapshotLocked();
}

Status LocalStore::snapshotLocked() {
  std::string framed;
  log::appendRecord(framed, log::RecordType::kSnapshot, codec::encodeSnapshot(state_, syncedSeq_));
  Status s = options_.env->writeFileAtomically(snapshotPath_, framed);
  if (!s.ok()) {
    // The log still holds everything: stay writable, try again later.
    spdlog::warn("ledger: snapshot failed, keeping the log: {}", s.toString());
    if (metrics_) metrics_->snapshotFailures->inc();
    sinceSnapshot_ = 0;
    return s;
  }
  // Records up to syncedSeq_ are now in the snapshot; if the truncation is lost in a
  // crash they are skipped on replay.
  s = options_.env->truncateFile(logPath_, 0);
  if (!s.ok()) spdlog::warn("ledger: log truncation after snapshot failed (harmless): {}", s.toString());
  sinceSnapshot_ = 0;
  if (metrics_) metrics_->snapshots->inc();
  return Status::Ok();
}

}  // namespace migwarden::ledger
