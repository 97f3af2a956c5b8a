// LocalStore: the single-replica Store on a local directory (--ledger-dir).
//
// Files in the directory:
//   LEDGER.log       write-ahead log of framed mutation records (log_format.h)
//   LEDGER.snapshot  the whole state as one framed record, replaced atomically
// Every record's payload starts with its sequence number (8 bytes LE); a snapshot covers
// all records up to its sequence, so records at or below it are skipped on replay.
//
// Durability: a mutation is applied to memory and queued under the lock; it returns
// only after the queued bytes are appended and fsynced. Writers that queue while an
// fsync is running share the next one (group commit). The first failed append or fsync
// latches the store read-only: the log's tail is then unknown, so no later mutation is
// attempted and all return IOError; queries keep working.
//
// Recovery (open): load the snapshot, replay the log after it. A damaged final record
// (crash mid-write; never acknowledged) is dropped and the file truncated to the valid
// prefix. Damage followed by valid data is corruption: open fails with its offset unless
// `repair` is set, in which case the log is cut at the damage (losing what follows).
//
// Thread-safety: all methods are safe to call concurrently. The options' Env, Clock and
// MetricsRegistry must outlive the store.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>

#include "webhook/common/clock.h"
#include "webhook/common/env.h"
#include "webhook/common/metrics.h"
#include "webhook/ledger/ledger_state.h"
#include "webhook/ledger/log_format.h"
#include "webhook/ledger/store.h"

namespace migwarden::ledger {

struct LocalStoreOptions {
  std::string dir;
  Env* env = nullptr;            // required
  const Clock* clock = nullptr;  // required; reservation TTLs
  MetricsRegistry* metrics = nullptr;
  bool repair = false;  // --ledger-repair: cut the log at mid-log corruption instead of failing
  // Write a snapshot and truncate the log after this many durable records (0 = only on
  // compact()).
  uint64_t snapshotEveryRecords = 10000;
};

struct RecoveryInfo {
  uint64_t snapshotSequence = 0;
  uint64_t recordsReplayed = 0;
  uint64_t lastSequence = 0;
  uint64_t tornBytesDropped = 0;     // crash-torn tail, expected after a crash
  uint64_t corruptBytesDropped = 0;  // only with repair
  std::string damage;                // what the reader found, if anything
};

class LocalStore final : public Store {
 public:
  static constexpr const char* kLogName = "LEDGER.log";
  static constexpr const char* kSnapshotName = "LEDGER.snapshot";

  static Result<std::unique_ptr<LocalStore>> open(LocalStoreOptions options);
  ~LocalStore() override;

  Result<ApplyOutcome> applyNodeReport(const NodeReport& report) override;
  Status recordPending(const PendingPod& pod, bool dryRun) override;
  Result<ReserveOutcome> reserve(const ReserveRequest& request) override;
  Result<bool> release(std::string_view podUid) override;
  Result<std::vector<std::string>> expireReservations(TimePoint now) override;

  int64_t freeSlices(std::string_view node, std::string_view resource) const override;
  std::vector<std::string> nodesThatCouldTake(const ResourceCounts& needs) const override;
  std::optional<Reservation> reservationOf(std::string_view podUid) const override;
  std::optional<PendingPod> pendingOf(std::string_view podUid) const override;
  bool isReconfiguring(std::string_view node) const override;
  LedgerView view() const override;
  std::optional<std::pair<NodeReport, NodeSummary>> node(std::string_view name) const override;
  std::vector<Conflict> conflicts() const override;
  Status health() const override;
  Result<LedgerDump> exportLedger() const override;
  // Into an empty ledger only; written as one snapshot (atomic and fsynced).
  Status importLedger(const LedgerDump& dump) override;

  // Writes a snapshot now and truncates the log (waits for in-flight commits).
  Status compact();
  const RecoveryInfo& recoveryInfo() const { return recovery_; }

 private:
  struct Metrics;
  using WriteLock = std::unique_lock<std::shared_mutex>;

  explicit LocalStore(LocalStoreOptions options);
  Status recover();
  Status loadSnapshot();
  Status replayLog();
  Status applyRecord(log::RecordType type, std::string_view body);

  // Queues one record (lock held); returns its sequence number.
  uint64_t queue(log::RecordType type, std::string_view body);
  // Waits until `seq` is durable, leading a group commit when nobody else is.
  Status commit(WriteLock& lock, uint64_t seq);
  void latch(const Status& cause);
  Status snapshotLocked();
  void maybeSnapshot(WriteLock& lock);
  // Logs expiry of due reservations (lock held); returns the expired uids.
  std::vector<std::string> expireLocked(TimePoint now);
  void publishConflicts(const ApplyOutcome& outcome);

  LocalStoreOptions options_;
  std::string logPath_;
  std::string snapshotPath_;
  std::unique_ptr<Metrics> metrics_;
  RecoveryInfo recovery_;

  mutable std::shared_mutex mu_;
  std::condition_variable_any committed_;
  LedgerState state_;
  // Held for the store's lifetime: two processes appending to one log would corrupt it.
  std::unique_ptr<FileLock> dirLock_;
  std::unique_ptr<WritableFile> log_;
  std::string buffer_;          // framed records not yet handed to the file
  uint64_t appendedSeq_ = 0;    // last sequence queued
  uint64_t syncedSeq_ = 0;      // last sequence durable
  uint64_t sinceSnapshot_ = 0;  // durable records since the last snapshot
  bool syncing_ = false;        // a leader is writing + fsyncing outside the lock
  Status latched_;              // non-OK once read-only
};

}  // namespace migwarden::ledger
