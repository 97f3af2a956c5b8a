// Store: the ledger's interface, the one thing admission rules and the ledger API talk
// to. LocalStore (local_store.h) implements it on a local write-ahead log; a replicated
// backend (etcd) can replace it without touching the rules.
//
// Contract for every implementation:
//  - Thread-safe: any method may be called from any thread concurrently.
//  - A mutation returns OK only once its effect is durable (for LocalStore: fsynced).
//  - After a durability failure the store is read-only: every later mutation returns an
//    IOError (status code kIOError) while queries keep answering from memory.
//  - dryRun calls evaluate exactly as a real call would and change nothing.
//  - Queries see every acknowledged mutation. They may also see one whose fsync is
//    still running, or failed (the caller got an error and the store is now read-only):
//    counting such a reservation early can only make the ledger more conservative.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/common/status.h"
#include "webhook/ledger/ledger_types.h"
#include "webhook/ledger/node_report.h"

namespace migwarden::ledger {

// The whole ledger as plain data, for `migwardenctl ledger export|import` (moving a
// ledger between backends). Reports carry resolved pod uids.
struct LedgerDump {
  std::vector<NodeReport> nodes;
  std::vector<Reservation> reservations;
  std::vector<PendingPod> pending;
};

class Store {
 public:
  virtual ~Store() = default;

  // Replaces the node's inventory and bound allocations with `report`.
  //  - kConflict (HTTP 409) when `report.sequence` is lower than the last accepted one
  //    for the same bootId. An equal sequence is a retry and is applied again (no-op).
  //  - A new bootId restarts the sequence.
  //  - Reservations of pods the report shows allocated on this node become bound;
  //    pods allocated before and missing now are released.
  //  - Conflicts in the report are kept and returned, never an error.
  virtual Result<ApplyOutcome> applyNodeReport(const NodeReport& report) = 0;

  // Records (or replaces) a GPU pod's requirements at admission time.
  // InvalidArgument when the uid is empty or needs is empty.
  virtual Status recordPending(const PendingPod& pod, bool dryRun) = 0;

  // All-or-nothing reservation of `needs` on `node`, atomic against concurrent callers:
  // of two pods racing for the last slice exactly one wins. Idempotent per pod uid: a
  // retry with the same node and needs returns the existing reservation
  // (kAlreadyReserved) without extending it. Errors:
  //  - InvalidArgument: empty uid/node, no needs (and no pending record to take them from);
  //  - NotFound: the node never reported;
  //  - AlreadyExists: the pod holds a different reservation, or is bound on another node;
  //  - FailedPrecondition: the node is mid MIG reconfiguration, or a needed resource is
  //    in conflict on the node;
  //  - ResourceExhausted: not enough free healthy slices (the message gives the numbers);
  //  - IOError: the store is read-only.
  virtual Result<ReserveOutcome> reserve(const ReserveRequest& request) = 0;

  // Drops the pod's reservation and pending record (pod deleted, or binding failed).
  // Bound allocations stay until the agent stops reporting them: the device plugin,
  // not the ledger, decides when a device is really free. Returns whether anything was
  // held.
  virtual Result<bool> release(std::string_view podUid) = 0;

  // Releases every reservation whose expiry is <= now; returns their pod uids.
  virtual Result<std::vector<std::string>> expireReservations(TimePoint now) = 0;

  // Healthy slices of `resource` on `node` that are neither bound nor reserved; 0 for an
  // unknown node or resource and while (node, resource) is conflicted. O(log n).
  virtual int64_t freeSlices(std::string_view node, std::string_view resource) const = 0;
  // Nodes (sorted) that could take `needs` right now; output-sensitive over an index of
  // free counts per resource.
  virtual std::vector<std::string> nodesThatCouldTake(const ResourceCounts& needs) const = 0;
  virtual std::optional<Reservation> reservationOf(std::string_view podUid) const = 0;
  virtual std::optional<PendingPod> pendingOf(std::string_view podUid) const = 0;
  // True while the node's MIG configuration is changing (migConfigState pending or
  // rebooting); such a node takes no reservations.
  virtual bool isReconfiguring(std::string_view node) const = 0;

  // Everything, for `migwardenctl ledger show` and GET /ledger/v1/nodes.
  virtual LedgerView view() const = 0;
  // One node's last accepted report (with resolved pod uids) and summary.
  virtual std::optional<std::pair<NodeReport, NodeSummary>> node(std::string_view name) const = 0;
  virtual std::vector<Conflict> conflicts() const = 0;

  // OK while the store accepts mutations; the latched error after a durability failure
  // (for /readyz).
  virtual Status health() const = 0;

  // A consistent copy of everything, for moving a ledger to another backend.
  virtual Result<LedgerDump> exportLedger() const {
    return Status::FailedPrecondition("this ledger backend cannot export");
  }
  // Loads a dump into an empty ledger (FailedPrecondition when it is not empty);
  // durable like any mutation.
  virtual Status importLedger(const LedgerDump& dump) {
    (void)dump;
    return Status::FailedPrecondition("this ledger backend cannot import");
  }
};

}  // namespace migwarden::ledger
