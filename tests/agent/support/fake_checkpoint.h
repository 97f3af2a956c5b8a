// Writes kubelet device-manager checkpoints (kubelet_internal_checkpoint) the way the
// kubelet does, in the current or the old V1 format, so tests can give the agent pod
// uids. Built with nlohmann::json, independently of the agent's RapidJSON reader.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace migwarden::testing {

struct FakeCheckpointEntry {
  std::string podUid;
  std::string container;
  std::string resource;
  std::vector<std::string> deviceIds;
  int64_t numaNode = 0;  // current format only: the DeviceIDs key the ids are listed under
};

enum class FakeCheckpointFormat {
  kCurrent,  // k8s >= 1.20: "DeviceIDs": {"<numa>": [ids]}
  kV1,       // k8s <= 1.19: "DeviceIDs": [ids]
};

// The checkpoint JSON (Data.PodDeviceEntries, Data.RegisteredDevices, Checksum).
std::string kubeletCheckpointJson(const std::vector<FakeCheckpointEntry>& entries,
                                  FakeCheckpointFormat format = FakeCheckpointFormat::kCurrent);

// Replaces `path` atomically (temp file + rename, as the kubelet's checkpoint manager).
void writeKubeletCheckpoint(const std::string& path, const std::vector<FakeCheckpointEntry>& entries,
                            FakeCheckpointFormat format = FakeCheckpointFormat::kCurrent);

}  // namespace migwarden::testing
