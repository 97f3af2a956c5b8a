// The topology the fake libnvidia-ml.so.1 serves, read from the JSON file named by
// MIGWARDEN_FAKE_NVML_CONFIG. Schema (all keys optional unless marked):
//   { "driverVersion": "550.54.15", "cudaDriverVersion": 12040,
//     "gpus": [ { "uuid"*: "GPU-…", "name": "NVIDIA A100-SXM4-40GB",
//                 "pciDeviceId": "0x20B010DE" (string or integer), "computeCapability": "8.0",
//                 "memoryMiB": 40960,
//                 "migMode": {"current": "enabled"|"disabled", "pending": …} (absent: not MIG capable),
//                 "maxMigDevices": 7, "supportedEventTypes": 11,
//                 "giProfiles": [ {"profile": 0, "id": 19, "sliceCount": 1, "memorySizeMB": 4864} ],
//                 "ciProfiles": [ {"profile": 0, "id": 0, "sliceCount": 1} ],
//                 "migDevices": [ {"uuid"*: "MIG-…", "slot": n (default: position), "gi": 7, "ci": 0,
//                                  "giProfileId": 19, "ciProfileId": 0,
//                                  "placement": {"start": 0, "size": 1}} ] } ],
//     "events": [ {"id": "e1" (default "#<index>"), "gpu": 0, "xid": 79, "type": 8 (default XID),
//                  "gi": 4294967295, "ci": 4294967295 (default: not attributable)} ],
//     "failAt": [ {"call": "nvmlDeviceGetMemoryInfo", "nth": 2 (default 0 = every call),
//                  "error": 15 (default 999)} ]   (an object is accepted for one entry) }
// Integers may also be written as strings ("0xFFFFFFFF").
#pragma once

#include <string>
#include <vector>

namespace migwarden::fakenvml {

struct GiProfile {
  unsigned int profile = 0;
  unsigned int id = 0;
  unsigned int sliceCount = 1;
  unsigned long long memorySizeMB = 0;
};

struct CiProfile {
  unsigned int profile = 0;
  unsigned int id = 0;
  unsigned int sliceCount = 1;
};

struct MigDevice {
  std::string uuid;
  unsigned int slot = 0;
  unsigned int gi = 0;
  unsigned int ci = 0;
  unsigned int giProfileId = 0;
  unsigned int ciProfileId = 0;
  unsigned int placementStart = 0;
  unsigned int placementSize = 1;
};

struct Gpu {
  std::string uuid;
  std::string name = "NVIDIA A100-SXM4-40GB";
  unsigned int pciDeviceId = 0x20B010DE;
  int ccMajor = 8;
  int ccMinor = 0;
  unsigned long long memoryMiB = 40960;
  bool migCapable = false;
  unsigned int migCurrent = 0;
  unsigned int migPending = 0;
  unsigned int maxMigDevices = 0;
  unsigned long long supportedEventTypes = 0xB;  // XID | DBE | SBE
  std::vector<GiProfile> giProfiles;
  std::vector<CiProfile> ciProfiles;
  std::vector<MigDevice> migDevices;
};

struct Event {
  std::string id;
  unsigned int gpu = 0;
  unsigned long long type = 0x8;
  unsigned long long xid = 0;
  unsigned int gi = 0xFFFFFFFFu;
  unsigned int ci = 0xFFFFFFFFu;
};

struct Failure {
  std::string call;
  unsigned int nth = 0;  // 0 = every call
  int error = 999;
};

struct Config {
  std::string driverVersion = "550.54.15";
  int cudaDriverVersion = 12040;
  std::vector<Gpu> gpus;
  std::vector<Event> events;
  std::vector<Failure> failures;
};

// Parses the JSON text; on error returns false and sets `error` (naming the field).
bool parseConfig(const std::string& text, Config& out, std::string& error);

}  // namespace migwarden::fakenvml
