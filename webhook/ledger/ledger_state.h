// LedgerState: the ledger's in-memory state machine, with no I/O and no locking.
// LocalStore owns one behind its lock and feeds it the same mutations it writes to the
// log, so recovery (snapshot + replay) rebuilds exactly the same state. Every mutation
// is deterministic given the state and its arguments (time is passed in, never read).
// Not thread-safe.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "webhook/common/status.h"
#include "webhook/ledger/ledger_types.h"
#include "webhook/ledger/node_report.h"
#include "webhook/ledger/node_state.h"

namespace migwarden::ledger {

class LedgerState {
 public:
  // --- validation (no change) -------------------------------------------------------
  // kConflict for a stale sequence.
  Status checkReport(const NodeReport& report) const;
  Status checkPending(const PendingPod& pod) const;
  // The outcome reserve would have; kReserved carries the reservation to insert.
  Result<ReserveOutcome> decideReserve(const ReserveRequest& request, TimePoint now) const;

  // --- mutations (replayed from the log) ------------------------------------------------
  ApplyOutcome applyReport(NodeReport report);
  void putPending(PendingPod pod);
  void putReservation(Reservation reservation);
  // Drops reservation and pending record; true if either existed.
  bool release(std::string_view podUid);
  // Drops only the reservation (expiry): the pending record keeps the pod's needs for a
  // retried binding.
  bool dropReservation(std::string_view podUid);
  std::vector<std::string> dueReservations(TimePoint now) const;

  // Installs a node from a snapshot: derived state only, no reservation side effects.
  void restoreNode(NodeReport report);

  // --- queries ------------------------------------------------------------------------
  int64_t freeSlices(std::string_view node, std::string_view resource) const;
  std::vector<std::string> nodesThatCouldTake(const ResourceCounts& needs) const;
  std::optional<Reservation> reservationOf(std::string_view podUid) const;
  std::optional<PendingPod> pendingOf(std::string_view podUid) const;
  bool isReconfiguring(std::string_view node) const;
  std::vector<Conflict> conflicts() const;
  std::map<ConflictKind, int64_t> conflictCounts() const;
  LedgerView view() const;
  std::optional<std::pair<NodeReport, NodeSummary>> node(std::string_view name) const;

  // For snapshots.
  const std::map<std::string, NodeState, std::less<>>& nodes() const { return nodes_; }
  std::vector<Reservation> reservations() const;
  std::vector<PendingPod> pendingPods() const;

 private:
  void installNode(NodeState state);
  void reindex(const std::string& node);
  void adjustReserved(const Reservation& r, int64_t sign);
  std::string resolveUid(const std::string& uid, const std::string& ns, const std::string& name) const;
  void forgetName(const std::string& ns, const std::string& name, const std::string& uid);
  NodeSummary summarize(const NodeState& n) const;

  std::map<std::string, NodeState, std::less<>> nodes_;
  std::unordered_map<std::string, Reservation> reservations_;  // by pod uid
  std::set<std::pair<TimePoint, std::string>> expiries_;
  std::unordered_map<std::string, PendingPod> pending_;  // by pod uid
  // "namespace/name" -> uid, from pending records and reservations: lets a report whose
  // allocations carry no pod uid be matched to the pod's reservation.
  std::unordered_map<std::string, std::string> uidByName_;
  // Pod uid -> node, for pods bound according to the latest reports.
  std::unordered_map<std::string, std::string> boundNodeByUid_;
  // node -> resource -> slices held by reservations (survives node replacement).
  std::map<std::string, std::map<std::string, int64_t>, std::less<>> reservedByNode_;
  // resource -> {(free, node)} for nodes with free > 0 that accept reservations.
  std::map<std::string, std::set<std::pair<int64_t, std::string>>, std::less<>> freeIndex_;
  // node -> resource -> free value currently in freeIndex_.
  std::map<std::string, std::map<std::string, int64_t>, std::less<>> indexed_;
};

}  // namespace migwarden::ledger
