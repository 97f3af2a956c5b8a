#include "webhook/agent/nvml/mig_profile_name.h"

#include <gtest/gtest.h>

#include "webhook/agent/nvml/nvml_inventory.h"
#include "webhook/agent/nvml/nvml_types.h"

namespace migwarden::agent::nvml {
namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;
constexpr uint64_t kA100_40 = 40960 * kMiB;
constexpr uint64_t kH100_80 = 81559 * kMiB;
constexpr uint64_t kA30 = 24576 * kMiB;

std::string name(unsigned int giEnum, unsigned int g, unsigned int c, uint64_t memMiB, uint64_t total) {
  auto result = migProfileName({giEnum, g, c, memMiB, total});
  return result.ok() ? *result : "error: " + result.status().message();
}

TEST(MigProfileName, NamesEveryA100_40GBProfileLikeTheDevicePlugin) {
  EXPECT_EQ(name(NVML_GPU_INSTANCE_PROFILE_1_SLICE, 1, 1, 4864, kA100_40), "1g.5gb");
  EXPECT_EQ(name(NVML_GPU_INSTANCE_PROFILE_1_SLICE_REV1, 1, 1, 4864, kA100_40), "1g.5gb+me");
  EXPECT_EQ(name(NVML_GPU_INSTANCE_PROFILE_1_SLICE_REV2, 1, 1, 9856, kA100_40), "1g.10gb");
  EXPECT_EQ(name(NVML_GPU_INSTANCE_PROFILE_2_SLICE, 2, 2, 9856, kA100_40), "2g.10gb");
  EXPECT_EQ(name(NVML_GPU_INSTANCE_PROFILE_3_SLICE, 3, 3, 19968, kA100_40), "3g.20gb");
  EXPECT_EQ(name(NVML_GPU_INSTANCE_PROFILE_4_SLICE, 4, 4, 19968, kA100_40), "4g.20gb");
  EXPECT_EQ(name(NVML_GPU_INSTANCE_PROFILE_7_SLICE, 7, 7, 40192, kA100_40), "7g.40gb");
}

TEST(MigProfileName, NamesH100_80GBAndA30Profiles) {
  EXPECT_EQ(name(NVML_GPU_INSTANCE_PROFILE_1_SLICE, 1, 1, 9984, kH100_80), "1g.10gb");
  EXPECT_EQ(name(NVML_GPU_INSTANCE_PROFILE_1_SLICE_REV1, 1, 1, 9984, kH100_80), "1g.10gb+me");
  EXPECT_EQ(name(NVML_GPU_INSTANCE_PROFILE_1_SLICE_REV2, 1, 1, 20096, kH100_80), "1g.20gb");
  EXPECT_EQ(name(NVML_GPU_INSTANCE_PROFILE_3_SLICE, 3, 3, 40448, kH100_80), "3g.40gb");
  EXPECT_EQ(name(NVML_GPU_INSTANCE_PROFILE_7_SLICE, 7, 7, 81152, kH100_80), "7g.80gb");
  EXPECT_EQ(name(NVML_GPU_INSTANCE_PROFILE_1_SLICE, 1, 1, 5952, kA30), "1g.6gb");
  EXPECT_EQ(name(NVML_GPU_INSTANCE_PROFILE_2_SLICE, 2, 2, 11968, kA30), "2g.12gb");
  EXPECT_EQ(name(NVML_GPU_INSTANCE_PROFILE_4_SLICE, 4, 4, 24128, kA30), "4g.24gb");
}

TEST(MigProfileName, PrefixesTheComputeSlicesWhenTheInstanceIsSplit) {
  EXPECT_EQ(name(NVML_GPU_INSTANCE_PROFILE_3_SLICE, 3, 1, 19968, kA100_40), "1c.3g.20gb");
  EXPECT_EQ(name(NVML_GPU_INSTANCE_PROFILE_7_SLICE, 7, 4, 40192, kA100_40), "4c.7g.40gb");
}

TEST(MigProfileName, SuffixFollowsTheGpuInstanceProfileVariant) {
  EXPECT_EQ(migProfileSuffix(NVML_GPU_INSTANCE_PROFILE_2_SLICE_REV1), "+me");
  EXPECT_EQ(migProfileSuffix(NVML_GPU_INSTANCE_PROFILE_1_SLICE_ALL_ME), "+me.all");
  EXPECT_EQ(migProfileSuffix(NVML_GPU_INSTANCE_PROFILE_3_SLICE_GFX), "+gfx");
  EXPECT_EQ(migProfileSuffix(NVML_GPU_INSTANCE_PROFILE_1_SLICE_NO_ME), "-me");
  EXPECT_EQ(migProfileSuffix(NVML_GPU_INSTANCE_PROFILE_1_SLICE_REV2), "");
  EXPECT_EQ(migProfileSuffix(0x40), "");  // a future profile: plain name
}

TEST(MigProfileName, RejectsZeroCountsAndComputeLargerThanItsInstance) {
  EXPECT_EQ(name(0, 0, 1, 4864, kA100_40), "error: giSliceCount: must be at least 1");
  EXPECT_EQ(name(0, 1, 0, 4864, kA100_40), "error: ciSliceCount: must be at least 1");
  EXPECT_EQ(name(0, 1, 1, 0, kA100_40), "error: giMemoryMiB: must be at least 1");
  EXPECT_EQ(name(0, 1, 1, 4864, 0), "error: gpuTotalMemoryBytes: must be at least 1");
  EXPECT_EQ(name(0, 1, 2, 4864, kA100_40), "error: ciSliceCount: 2 exceeds the GPU instance's 1");
}

TEST(NvmlFormatting, DecodesTheCudaDriverVersionAndThePciDeviceId) {
  EXPECT_EQ(formatCudaDriverVersion(12040), "12.4");
  EXPECT_EQ(formatCudaDriverVersion(13000), "13.0");
  EXPECT_EQ(formatCudaDriverVersion(11080), "11.8");
  EXPECT_EQ(formatPciDeviceId(0x20B010DE), "0x20B010DE");
  EXPECT_EQ(formatPciDeviceId(0x1EB810DE), "0x1EB810DE");
}

}  // namespace
}  // namespace migwarden::agent::nvml
