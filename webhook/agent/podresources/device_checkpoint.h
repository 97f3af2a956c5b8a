// The kubelet device manager's checkpoint (/var/lib/kubelet/device-plugins/
// kubelet_internal_checkpoint): the one place on a node that ties a device-plugin
// allocation to a pod *uid*. The pod-resources API names pods by namespace and name only,
// so migwarden reads this file to add the uid when it can.
//
// The file is the kubelet's internal format, not an API: it can change or vanish with a
// kubelet upgrade. Everything here is therefore best effort. Parsing is strict (any
// deviation is an error naming the field, so a format change is noticed rather than
// half-read), and the caller treats every error as "uids unknown", never as a failure.
//
// Formats understood:
//   current (k8s >= 1.20): Data.PodDeviceEntries[].DeviceIDs is {"<numa node>": ["id", ...]}
//   V1      (k8s <= 1.19): Data.PodDeviceEntries[].DeviceIDs is ["id", ...]
// The Checksum is not verified: it is a hash of Go's in-memory representation, which
// cannot be recomputed faithfully outside the kubelet; a torn file fails to parse instead.
//
// Pure functions, safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/common/status.h"
#include "webhook/ledger/node_report.h"

namespace migwarden::agent {

inline constexpr const char* kDefaultDeviceCheckpointPath = "/var/lib/kubelet/device-plugins/kubelet_internal_checkpoint";
// Real checkpoints are a few KiB per pod; anything this large is not one.
inline constexpr size_t kDefaultMaxCheckpointBytes = 16 * 1024 * 1024;

enum class CheckpointFormat { kCurrent, kV1 };

// One PodDeviceEntries element: the devices of one resource given to one container.
struct CheckpointEntry {
  std::string podUid;
  std::string container;
  std::string resource;
  std::vector<std::string> deviceIds;  // flattened over NUMA nodes, sorted, de-duplicated
  bool operator==(const CheckpointEntry&) const = default;
};

struct DeviceCheckpoint {
  CheckpointFormat format = CheckpointFormat::kCurrent;
  std::vector<CheckpointEntry> entries;
};

// Parses the checkpoint JSON. InvalidArgument naming the field ("Data.PodDeviceEntries[3]
// .DeviceIDs: must be an object or an array") for anything it does not understand.
Result<DeviceCheckpoint> parseDeviceCheckpoint(std::string_view json);

// Reads and parses the file. NotFound when it does not exist, IOError when it cannot be
// read, ResourceExhausted above maxBytes, else what parseDeviceCheckpoint returns.
Result<DeviceCheckpoint> readDeviceCheckpoint(const std::string& path, size_t maxBytes = kDefaultMaxCheckpointBytes);

// Fills podUid of every allocation whose (container, resource, device ids) equals exactly
// one uid's checkpoint entry. Allocations with no match, or matching entries of different
// uids (a stale entry), keep an empty uid. Allocations that already have a uid are left
// alone. `allocations` must have sorted, de-duplicated device ids (as the client returns).
void assignPodUids(std::vector<ledger::Allocation>& allocations, const std::vector<CheckpointEntry>& entries);

}  // namespace migwarden::agent
