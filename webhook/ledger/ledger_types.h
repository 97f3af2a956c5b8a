// Value types the ledger's Store interface takes and returns. Plain structs, no
// behaviour; shared by the in-memory state, the persistence layer, the views and
// (later) the API and admission rules.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace migwarden::ledger {

using TimePoint = std::chrono::system_clock::time_point;
// Extended resource name -> count, e.g. {"nvidia.com/mig-1g.5gb": 2}. Counts are >= 1.
using ResourceCounts = std::map<std::string, int64_t>;

// Requirements of an admitted GPU pod, recorded because a Binding carries no resources.
struct PendingPod {
  std::string podUid;
  std::string ns;
  std::string name;
  ResourceCounts needs;
  TimePoint recordedAt{};
  bool operator==(const PendingPod&) const = default;
};

// Slices set aside for a pod on a node at binding time, until the agent reports them
// bound or the reservation expires.
struct Reservation {
  std::string podUid;
  std::string ns;    // may be empty when the pod was never recorded as pending
  std::string name;
  std::string node;
  ResourceCounts needs;
  TimePoint createdAt{};
  TimePoint expiresAt{};
  bool operator==(const Reservation&) const = default;
};

struct ReserveRequest {
  std::string podUid;
  std::string ns;    // optional: taken from the pending record when empty
  std::string name;  // optional, likewise
  std::string node;
  ResourceCounts needs;  // empty: taken from the pending record
  std::chrono::seconds ttl{300};
  bool dryRun = false;
};

struct ReserveOutcome {
  enum class Kind {
    kReserved,         // newly reserved (or, for dryRun, would be)
    kAlreadyReserved,  // a retry: the same reservation already exists (same answer)
    kAlreadyBound,     // the agent already reports the pod bound on this node
  };
  Kind kind = Kind::kReserved;
  Reservation reservation;
};

enum class ConflictKind {
  kDeviceInTwoPods,      // one device id listed for two pods (or two containers)
  kWholeGpuAndMigDevice, // a GPU allocated whole while one of its MIG devices is allocated
  kOverlappingPlacement, // two GPU instances whose memory-slice placements overlap
  kBoundMoreThanExists,  // an allocation names a device the inventory does not have
};
inline constexpr ConflictKind kAllConflictKinds[] = {
    ConflictKind::kDeviceInTwoPods, ConflictKind::kWholeGpuAndMigDevice, ConflictKind::kOverlappingPlacement,
    ConflictKind::kBoundMoreThanExists};
std::string_view conflictKindName(ConflictKind kind);  // "device_in_two_pods", ...

// A contradiction in what a node reported. Kept (never silently fixed) until a later
// report no longer shows it; the listed resources on the node take no new reservations.
struct Conflict {
  ConflictKind kind{};
  std::string node;
  std::vector<std::string> resources;
  std::vector<std::string> devices;
  std::vector<std::string> pods;  // "namespace/name" of the pods involved
  std::string message;
  bool operator==(const Conflict&) const = default;
};

struct ApplyOutcome {
  bool newBoot = false;                  // first report, or a new bootId: sequence restarted
  std::vector<std::string> nowBound;     // pod uids whose reservation the report confirmed
  std::vector<std::string> released;     // pods ("uid" or "namespace/name") no longer allocated
  std::vector<Conflict> conflicts;       // all conflicts on the node now
  std::vector<Conflict> newConflicts;    // those not present before this report
};

// Per (node, resource) accounting, as shown by `ledger show`.
struct ResourceSummary {
  std::string resource;
  int64_t total = 0;     // devices in the inventory
  int64_t healthy = 0;
  int64_t bound = 0;     // devices allocated to pods (healthy or not)
  int64_t reserved = 0;  // slices held by reservations
  int64_t free = 0;      // healthy - bound healthy - reserved, >= 0; 0 while conflicted
  bool conflicted = false;
};

struct BoundPod {
  std::string podUid;  // empty when the agent gave none and no pending record matched
  std::string ns;
  std::string name;
  ResourceCounts devices;  // resource -> number of devices
};

struct NodeSummary {
  std::string name;
  std::string bootId;
  int64_t sequence = 0;
  std::string driverVersion;
  std::string cudaDriverVersion;
  std::string migConfigState;
  bool reconfiguring = false;
  bool acceptsReservations = true;
  size_t gpuCount = 0;
  std::vector<ResourceSummary> resources;
  std::vector<BoundPod> boundPods;
};

struct LedgerView {
  std::vector<NodeSummary> nodes;
  std::vector<Reservation> reservations;
  std::vector<PendingPod> pending;
  std::vector<Conflict> conflicts;
  bool readOnly = false;
  std::string readOnlyReason;
};

}  // namespace migwarden::ledger
