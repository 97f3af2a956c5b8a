#include "webhook/agent/nvml/mig_profile_name.h"

#include <cmath>

#include "webhook/agent/nvml/nvml_types.h"

namespace migwarden::agent::nvml {

std::string_view migProfileSuffix(unsigned int giProfileEnum) {
  switch (giProfileEnum) {
    case NVML_GPU_INSTANCE_PROFILE_1_SLICE_REV1:
    case NVML_GPU_INSTANCE_PROFILE_2_SLICE_REV1:
      return "+me";
    case NVML_GPU_INSTANCE_PROFILE_1_SLICE_ALL_ME:
    case NVML_GPU_INSTANCE_PROFILE_2_SLICE_ALL_ME:
      return "+me.all";
    case NVML_GPU_INSTANCE_PROFILE_1_SLICE_GFX:
    case NVML_GPU_INSTANCE_PROFILE_2_SLICE_GFX:
    case NVML_GPU_INSTANCE_PROFILE_3_SLICE_GFX:
    case NVML_GPU_INSTANCE_PROFILE_4_SLICE_GFX:
      return "+gfx";
    case NVML_GPU_INSTANCE_PROFILE_1_SLICE_NO_ME:
    case NVML_GPU_INSTANCE_PROFILE_2_SLICE_NO_ME:
      return "-me";
    default:
      return "";
  }
}

uint64_t migMemorySizeGB(uint64_t giMemoryMiB, uint64_t gpuTotalMemoryBytes) {
  constexpr double kFractionDenominator = 8;
  constexpr uint64_t kMiB = uint64_t{1} << 20;
  constexpr uint64_t kGiB = uint64_t{1} << 30;
  if (gpuTotalMemoryBytes == 0) return 0;
  double fraction = static_cast<double>(giMemoryMiB) * kMiB / static_cast<double>(gpuTotalMemoryBytes);
  fraction = std::ceil(fraction * kFractionDenominator) / kFractionDenominator;
  const double totalGB = static_cast<double>((gpuTotalMemoryBytes + kGiB - 1) / kGiB);
  return static_cast<uint64_t>(std::llround(fraction * totalGB));
}

Result<std::string> migProfileName(const MigProfileFacts& facts) {
  if (facts.giSliceCount == 0) return Status::InvalidArgument("giSliceCount: must be at least 1");
  if (facts.ciSliceCount == 0) return Status::InvalidArgument("ciSliceCount: must be at least 1");
  if (facts.ciSliceCount > facts.giSliceCount) {
    return Status::InvalidArgument("ciSliceCount: " + std::to_string(facts.ciSliceCount) +
                                   " exceeds the GPU instance's " + std::to_string(facts.giSliceCount));
  }
  if (facts.giMemoryMiB == 0) return Status::InvalidArgument("giMemoryMiB: must be at least 1");
  if (facts.gpuTotalMemoryBytes == 0) return Status::InvalidArgument("gpuTotalMemoryBytes: must be at least 1");

  std::string name;
  if (facts.ciSliceCount < facts.giSliceCount) name = std::to_string(facts.ciSliceCount) + "c.";
  name += std::to_string(facts.giSliceCount) + "g." +
          std::to_string(migMemorySizeGB(facts.giMemoryMiB, facts.gpuTotalMemoryBytes)) + "gb";
  name += migProfileSuffix(facts.giProfileEnum);
  return name;
}

}  // namespace migwarden::agent::nvml
