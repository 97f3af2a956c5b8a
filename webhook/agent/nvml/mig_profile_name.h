// NVIDIA's MIG profile names ("1g.5gb", "1g.10gb+me", "1c.3g.20gb") computed from what NVML
// reports, the way the device plugin does it (go-nvlib mig_profile.go, see
// ../shared/reference/nvidia-gpu-facts.md §1.0):
//   <C>c.<G>g.<GB>gb<suffix>, "<C>c." only when the compute instance uses fewer compute
//   slices than its GPU instance; G = GI profile sliceCount, C = CI profile sliceCount;
//   GB = round(ceil(giMemoryMiB*2^20 / gpuTotalBytes * 8) / 8 * ceil(gpuTotalBytes / 2^30));
//   suffix from the GI profile enum: *_REV1 "+me", *_ALL_ME "+me.all", *_GFX "+gfx",
//   *_NO_ME "-me", others none (1_SLICE_REV2 is A100-40GB's plain "1g.10gb").
// The memory formula makes names depend on the memory the driver reports, exactly like the
// names the device plugin advertises (nvidia.com/mig-<name>), which is what the ledger needs.
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "webhook/common/status.h"

namespace migwarden::agent::nvml {

struct MigProfileFacts {
  unsigned int giProfileEnum = 0;   // NVML_GPU_INSTANCE_PROFILE_* index
  unsigned int giSliceCount = 0;    // compute slices of the GPU instance
  unsigned int ciSliceCount = 0;    // compute slices of the compute instance
  uint64_t giMemoryMiB = 0;         // nvmlGpuInstanceProfileInfo_t.memorySizeMB
  uint64_t gpuTotalMemoryBytes = 0; // nvmlDeviceGetMemoryInfo(parent).total
};

// "+me", "+me.all", "+gfx", "-me" or "".
std::string_view migProfileSuffix(unsigned int giProfileEnum);
// The memory part (<GB>) of the name.
uint64_t migMemorySizeGB(uint64_t giMemoryMiB, uint64_t gpuTotalMemoryBytes);
// InvalidArgument naming the zero field when a count or size is zero, or when C > G.
Result<std::string> migProfileName(const MigProfileFacts& facts);

}  // namespace migwarden::agent::nvml
