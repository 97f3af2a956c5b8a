// NodeReport: the typed form of the full node report the agent PUTs to
// /ledger/v1/nodes/{node} (../shared DESIGN.md "External contract"), with a RapidJSON
// decoder whose errors name the offending field ("gpus[0].migDevices[2].placement.size:
// must be an integer") and an encoder producing the same format. Value types; decoding
// and encoding are pure functions, safe from any thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <rapidjson/document.h>

#include "webhook/common/status.h"

namespace migwarden::ledger {

// Memory slices a GPU instance occupies: [start, start + size).
struct Placement {
  int64_t start = 0;
  int64_t size = 0;
  bool operator==(const Placement&) const = default;
};

struct MigDevice {
  std::string uuid;     // "MIG-…"
  std::string profile;  // "1g.5gb", "1g.10gb+me", "1c.3g.20gb"
  int64_t giId = 0;
  int64_t ciId = 0;
  Placement placement;
  bool healthy = false;
  bool operator==(const MigDevice&) const = default;
};

struct Gpu {
  std::string uuid;  // "GPU-…"
  std::string product;
  std::string pciDeviceId;        // "0x20B010DE"
  std::string computeCapability;  // "8.0"
  int64_t memoryMiB = 0;
  std::string migMode;  // "enabled" | "disabled" (anything else is treated as disabled)
  std::vector<MigDevice> migDevices;
  // Whole-GPU health (XID critical error seen by the agent). Optional in JSON, default
  // true. An unhealthy GPU is not counted as a free nvidia.com/gpu; its MIG devices
  // carry their own flags (the agent marks them unhealthy too). Last, so existing
  // aggregate initialisers keep their meaning.
  bool healthy = true;
  bool operator==(const Gpu&) const = default;
};

// One container's devices of one resource, as the kubelet's pod-resources API lists it.
struct Allocation {
  std::string podUid;  // may be empty: pod-resources names pods by namespace/name only
  std::string ns;      // JSON "namespace"
  std::string pod;
  std::string container;
  std::string resource;  // "nvidia.com/mig-1g.5gb", "nvidia.com/gpu"
  std::vector<std::string> deviceIds;
  bool operator==(const Allocation&) const = default;
};

struct NodeReport {
  std::string node;
  int64_t sequence = 0;
  std::string bootId;
  std::string driverVersion;
  std::string cudaDriverVersion;
  std::string migConfigState;  // mig-manager's state label: "success", "pending", "rebooting", "failed"
  std::vector<Gpu> gpus;
  std::vector<Allocation> allocations;
  bool operator==(const NodeReport&) const = default;
};

// Limits that keep a hostile or broken agent from making the ledger allocate without
// bound. Real nodes have at most 8-16 GPUs with at most 7 MIG devices each.
struct NodeReportLimits {
  size_t maxGpus = 64;
  size_t maxMigDevicesPerGpu = 64;
  size_t maxAllocations = 16384;
  size_t maxDeviceIdsPerAllocation = 1024;
  size_t maxStringBytes = 512;
};

// Parses and validates a report. Errors are InvalidArgument and name the field.
// Structural rules checked here: required fields and types, non-negative integers,
// placement.size >= 1, unique GPU and MIG device uuids. Semantic clashes (overlapping
// placements, devices in two pods) are not parse errors: the ledger keeps them as
// conflicts, because they describe what really happened on the node.
Result<NodeReport> parseNodeReport(std::string_view json, const NodeReportLimits& limits = {});
Result<NodeReport> decodeNodeReport(const rapidjson::Value& value, std::string_view path,
                                    const NodeReportLimits& limits = {});

// Compact JSON in the same format parseNodeReport accepts.
std::string encodeNodeReport(const NodeReport& report);
void writeNodeReport(const NodeReport& report, rapidjson::Value& out, rapidjson::Document::AllocatorType& alloc);

}  // namespace migwarden::ledger
