// EtcdStore: the Store (store.h) for several webhook replicas sharing one ledger in
// etcd (--ledger-backend etcd). Design and operations: docs/ledger-etcd.md.
//
//  - Writes are etcd transactions that compare the mod revisions of every key their
//    decision read (layout.h), so of two replicas racing for the last slice exactly one
//    commits; the loser re-reads those keys from the failure branch and decides again,
//    at most maxTxnAttempts times. A write returns OK only once etcd committed it (a
//    quorum has it on disk), and the view already shows it.
//  - Reads come from the in-memory View, kept current by a watch on the prefix from the
//    last revision seen; a compacted revision (or a deleted node key) triggers a full
//    re-list.
//  - Reservation TTLs are swept by one replica at a time: the holder of the leader key
//    (put under an etcd lease, created only if absent, kept alive by this store).
//    expireReservations() on other replicas returns nothing. A reservation that blocks
//    a new one on its node is also dropped lazily by the reserving replica.
//  - etcd unreachable: every mutation fails closed with IOError ("ledger backend etcd
//    unavailable: ...", the Store contract's code for a store that cannot write),
//    queries keep answering from the view, health() reports it, and the watch
//    reconnects (re-listing if needed) when etcd is back.
//
// Thread-safety: all methods are safe to call concurrently. Two background threads (the
// watch and the lease/probe loop) run until destruction. The options' Clock and
// MetricsRegistry must outlive the store.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <chrono>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "webhook/common/clock.h"
#include "webhook/common/metrics.h"
#include "webhook/ledger/etcd/etcd_client.h"
#include "webhook/ledger/etcd/layout.h"
#include "webhook/ledger/etcd/view.h"
#include "webhook/ledger/store.h"

namespace migwarden::ledger::etcd {

struct EtcdStoreOptions {
  ClientOptions client;
  std::string prefix = "/migwarden/";
  const Clock* clock = nullptr;  // required: reservation TTLs
  MetricsRegistry* metrics = nullptr;
  std::string replicaId;  // the leader key's value; default "<hostname>-<pid>"
  std::chrono::seconds leaderLeaseTtl{10};
  // Lease keep-alive and reachability probe period; well under leaderLeaseTtl.
  std::chrono::milliseconds maintenanceInterval{1'000};
  int maxTxnAttempts = 8;
  // How long open() waits for the first full read of the ledger before it returns an
  // unready store that keeps trying in the background (0: do not wait).
  std::chrono::milliseconds initialSyncTimeout{5'000};
  // How long pendingOf() waits for the watch to catch up after a miss (see there).
  std::chrono::milliseconds catchUpTimeout{1'000};
};

class EtcdStore final : public Store {
 public:
  // InvalidArgument for bad options (prefix, TLS files). An unreachable etcd is not an
  // error: the store starts unready and connects when etcd answers.
  static Result<std::unique_ptr<EtcdStore>> open(EtcdStoreOptions options);
  ~EtcdStore() override;

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
  // Into an empty prefix only; written in batches (not one transaction).
  Status importLedger(const LedgerDump& dump) override;

  // True while this replica holds the sweeper lease.
  bool isSweeper() const { return leader_.load(); }
  // The revision the watch has delivered up to (for tests and metrics).
  int64_t watchedRevision() const;
  // Blocks until the watch has delivered `revision` or the timeout passes. The watch
  // only learns of revisions that changed a key under the prefix: wait for one that did.
  bool waitForRevision(int64_t revision, std::chrono::milliseconds timeout) const;
  // The current etcd revision (a cheap read), for waitForRevision after a write under
  // the same prefix.
  Result<int64_t> currentRevision() const;

 private:
  struct Metrics;
  // One transaction: every guard must still hold (mod revision; 0 = absent).
  struct Plan {
    std::vector<std::pair<std::string, int64_t>> guards;
    std::vector<std::pair<std::string, std::string>> puts;
    std::vector<std::string> deletes;
    bool empty() const { return puts.empty() && deletes.empty(); }
  };

  explicit EtcdStore(EtcdStoreOptions options, std::unique_ptr<Client> client);
  // Committed: applied to the view, true. Lost a race: the guarded keys' current values
  // applied to the view, false. Unreachable: IOError.
  Result<bool> commit(const Plan& plan);
  Status unavailable(const Status& cause) const;
  // IOError until the first full read of the ledger: decisions need the view.
  Status checkSynced() const;
  void noteCall(const Status& result) const;
  Plan dropReservationsPlan(const View& v, const std::string& node, const std::vector<std::string>& uids) const;

  // Background.
  void watchLoop();
  Status relist();
  Status runWatch();
  void maintenanceLoop();
  bool campaign();
  void resign();
  void waitBackoff(std::chrono::milliseconds delay);
  void setWatchState(bool connected, const Status& cause);

  EtcdStoreOptions options_;
  Layout layout_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<Metrics> metrics_;

  mutable std::shared_mutex mu_;  // guards view_ and watchRevision_
  mutable std::condition_variable_any viewAdvanced_;
  std::unique_ptr<View> view_;
  int64_t watchRevision_ = 0;
  bool needRelist_ = true;
  std::atomic<bool> synced_{false};  // the first full list has been read

  mutable std::mutex healthMu_;
  bool watchConnected_ = false;
  bool everConnected_ = false;
  bool startupWarned_ = false;
  Status watchError_ = Status::Unavailable("not connected yet");
  mutable Status callError_;  // the last etcd call's failure; cleared by a success

  // Reservations on one node from this replica's threads queue here instead of racing
  // each other through etcd (only one of them could win each round); striped by node.
  static constexpr size_t kNodeStripes = 64;
  std::array<std::mutex, kNodeStripes> nodeStripes_;

  std::atomic<bool> leader_{false};
  std::atomic<int64_t> leaseId_{0};

  std::mutex stopMu_;
  std::condition_variable stopCv_;
  bool stopping_ = false;
  Stream* activeStream_ = nullptr;  // guarded by stopMu_
  std::thread watchThread_;
  std::thread maintenanceThread_;
};

}  // namespace migwarden::ledger::etcd
