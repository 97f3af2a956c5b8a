// The three inputs of migwarden-agent, as interfaces so the reporting loop can be tested
// with scripted sources and run with the real ones (NVML through dlopen, the kubelet's
// pod-resources gRPC API):
//  - InventorySource:    what the hardware has (GPUs, MIG devices, driver versions);
//  - HealthEventSource:  XID critical errors, the device plugin's notion of "unhealthy";
//  - AllocationSource:   what the kubelet handed out to which pod.
// The report itself is ledger::NodeReport (webhook/ledger/node_report.h), so the agent
// and the webhook share one typed definition of the wire format.
//
// Thread-safety: an implementation is used from one thread at a time unless it says
// otherwise; the agent gives each source its own thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "webhook/common/status.h"
#include "webhook/ledger/node_report.h"

namespace migwarden::agent {

// The hardware half of a node report.
struct GpuInventory {
  std::string driverVersion;      // "550.54.15"
  std::string cudaDriverVersion;  // "12.4"; empty when NVML cannot tell (optional symbol)
  // Every physical GPU with its MIG devices. Health flags are all true here: health comes
  // from HealthEventSource and is applied by the report builder.
  std::vector<ledger::Gpu> gpus;
};

class InventorySource {
 public:
  virtual ~InventorySource() = default;
  // A consistent snapshot, or the NVML error that interrupted it (the caller keeps its
  // previous snapshot and retries; it never reports a half-read node).
  virtual Result<GpuInventory> read() = 0;
};

// One critical event attributed to a device. `deviceUuid` is a MIG device uuid when NVML
// attributes the event to a GPU/compute instance, else the GPU uuid (which makes the GPU
// and every MIG device on it unhealthy).
struct HealthEvent {
  std::string deviceUuid;
  uint64_t xid = 0;    // 999 = unknown
  std::string reason;  // e.g. "XID 79 (critical error)"
};

class HealthEventSource {
 public:
  virtual ~HealthEventSource() = default;
  // Blocks up to `timeout` for events; returns the critical ones not on the ignore list
  // (empty on timeout). An error means the event set is broken (the caller re-creates it
  // with backoff); it does not by itself mark devices unhealthy.
  virtual Result<std::vector<HealthEvent>> wait(std::chrono::milliseconds timeout) = 0;
};

class AllocationSource {
 public:
  virtual ~AllocationSource() = default;
  // Devices currently assigned to containers, nvidia.com/* resources only, sorted by
  // (namespace, pod, container, resource) so two lists compare equal when nothing changed.
  // podUid is filled when known (kubelet checkpoint), else empty. Unavailable when the
  // kubelet socket cannot be reached (the caller keeps the last list and retries).
  virtual Result<std::vector<ledger::Allocation>> list() = 0;
};

}  // namespace migwarden::agent
