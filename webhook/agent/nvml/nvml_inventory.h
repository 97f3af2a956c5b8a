// NvmlInventorySource: the hardware half of a node report read from NVML — driver and CUDA
// driver versions, every physical GPU and, in MIG mode, every MIG device with its GPU and
// compute instance ids, profile name and memory-slice placement.
//
// A read is all-or-nothing: the first NVML error aborts it with a Status naming the call and
// the device ("nvmlDeviceGetMemoryInfo(gpu 1): GPU is lost (NVML error 15)"), so the agent
// never reports half a node. Every loop is bounded by NVML's own counts and by the ledger's
// NodeReportLimits, so a broken driver cannot make the agent loop or allocate without bound.
//
// Pending MIG mode change: ledger::Gpu carries only the *current* MIG mode, which is what
// the hardware serves until the GPU is reset. When NVML's pending mode differs, readSnapshot()
// lists the GPU in NvmlSnapshot::migChangePendingGpus; the report builder should then report
// migConfigState "pending" (unless mig-manager's label says something more specific).
// read() (the InventorySource interface) returns the inventory alone.
//
// Thread-safety: one thread at a time (the agent's inventory thread); the shared
// NvmlLibrary may be used concurrently by NvmlHealthEvents.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "webhook/agent/nvml/nvml_library.h"
#include "webhook/agent/sources.h"

namespace migwarden::agent::nvml {

struct NvmlSnapshot {
  GpuInventory inventory;
  // uuids of GPUs whose pending MIG mode differs from the current one (reset pending).
  std::vector<std::string> migChangePendingGpus;
  bool migChangePending() const { return !migChangePendingGpus.empty(); }
};

struct NvmlInventoryLimits {
  unsigned int maxGpus = 64;               // ledger NodeReportLimits::maxGpus
  unsigned int maxMigDevicesPerGpu = 64;   // ledger NodeReportLimits::maxMigDevicesPerGpu
};

class NvmlInventorySource : public InventorySource {
 public:
  explicit NvmlInventorySource(std::shared_ptr<const NvmlLibrary> nvml, NvmlInventoryLimits limits = {});

  Result<GpuInventory> read() override;
  Result<NvmlSnapshot> readSnapshot();

 private:
  std::shared_ptr<const NvmlLibrary> nvml_;
  NvmlInventoryLimits limits_;
};

// "12.4" from cuDriverGetVersion's 12040 (major = v/1000, minor = (v%1000)/10).
std::string formatCudaDriverVersion(int version);
// "0x20B010DE" from nvmlPciInfo_t.pciDeviceId.
std::string formatPciDeviceId(unsigned int pciDeviceId);

}  // namespace migwarden::agent::nvml
