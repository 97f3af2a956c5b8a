// The ledger's keys in etcd (docs/ledger-etcd.md "Data layout") and the values stored
// under them. Under the configured prefix (default /migwarden/):
//   nodes/<node>         the node's last accepted report (JSON, pod uids resolved)
//   reservations/<node>  every reservation on the node (JSON array)
//   holds/<podUid>       the node a pod holds a reservation on: at most one per pod
//   pending/<podUid>     an admitted GPU pod's requirements (JSON)
//   leader/sweeper       the replica that expires reservations (under a lease)
// One key per node for its reservations because reservations contend per node anyway:
// a reservation is one transaction comparing the node's two keys. Pure functions.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/common/status.h"
#include "webhook/ledger/ledger_types.h"

namespace migwarden::ledger::etcd {

class Layout {
 public:
  enum class Kind { kNode, kReservations, kHold, kPending, kLeader, kOther };
  struct Parsed {
    Kind kind = Kind::kOther;
    std::string name;  // node name or pod uid
  };

  explicit Layout(std::string prefix) : prefix_(std::move(prefix)) {}
  const std::string& prefix() const { return prefix_; }

  std::string node(std::string_view name) const { return prefix_ + "nodes/" + std::string(name); }
  std::string reservations(std::string_view node) const { return prefix_ + "reservations/" + std::string(node); }
  std::string hold(std::string_view podUid) const { return prefix_ + "holds/" + std::string(podUid); }
  std::string pending(std::string_view podUid) const { return prefix_ + "pending/" + std::string(podUid); }
  std::string leader() const { return prefix_ + "leader/sweeper"; }

  Parsed parse(std::string_view key) const;

 private:
  std::string prefix_;
};

// Validates --etcd-prefix: non-empty, ends with '/'.
Status checkPrefix(std::string_view prefix);

// reservations/<node>: a JSON array of the ledger log's reservation records, sorted by
// pod uid.
std::string encodeReservationList(const std::map<std::string, Reservation>& byUid);
Result<std::map<std::string, Reservation>> decodeReservationList(std::string_view json);

}  // namespace migwarden::ledger::etcd
