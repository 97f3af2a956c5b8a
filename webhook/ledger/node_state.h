// NodeState: what the ledger derives from one node's accepted report: per-resource
// tallies, bound pods and conflicts. Built from scratch on every report (a report is a
// full replacement), so there is no incremental bookkeeping to drift. Not thread-safe;
// owned by LedgerState.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "webhook/ledger/ledger_types.h"
#include "webhook/ledger/node_report.h"

namespace migwarden::ledger {

struct Tally {
  int64_t total = 0;
  int64_t healthy = 0;
  int64_t bound = 0;
  int64_t boundHealthy = 0;
  int64_t reserved = 0;  // maintained by LedgerState
  bool conflicted = false;

  // Free for new reservations: never negative, and zero while the resource is in conflict.
  int64_t free() const {
    if (conflicted) return 0;
    int64_t f = healthy - boundHealthy - reserved;
    return f > 0 ? f : 0;
  }
};

struct NodeState {
  NodeReport report;  // allocations carry resolved pod uids where known
  std::map<std::string, Tally, std::less<>> tallies;
  std::map<std::string, BoundPod> bound;  // pod key ("uid", or "namespace/name") -> pod
  std::vector<Conflict> conflicts;
  bool reconfiguring = false;
  bool acceptsReservations = true;
};

// "uid" when known, else "namespace/name": the identity of a bound pod.
std::string podKey(const std::string& uid, const std::string& ns, const std::string& name);

// Derives tallies (reserved = 0), bound pods and conflicts from a report whose
// allocations already carry resolved uids.
NodeState buildNodeState(NodeReport report);

// mig-manager states during which the GPU layout is changing.
bool isReconfiguringState(const std::string& migConfigState);

}  // namespace migwarden::ledger
