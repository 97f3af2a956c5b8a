// GPU model and MIG profile lookups, image rules.
#include <gtest/gtest.h>

#include <algorithm>

#include "tests/policy/policy_test_util.h"

namespace migwarden::policy {
namespace {

std::vector<std::string> modelsFor(const Policy& p, std::string_view resource) {
  std::vector<std::string> out;
  for (const auto& ref : p.profilesForResource(resource)) out.push_back(ref.gpu->id);
  std::sort(out.begin(), out.end());
  return out;
}

TEST(ProfileLookup, SameProfileNameMeansDifferentSlicesOnDifferentGpus) {
  auto p = testing::builtin();
  ASSERT_TRUE(p);
  EXPECT_EQ(modelsFor(*p, "nvidia.com/mig-1g.10gb"), (std::vector<std::string>{"A100-40GB", "A100-80GB", "H100-80GB"}));
  const auto* a100 = p->profileForResource(*p->gpuById("A100-40GB"), "nvidia.com/mig-1g.10gb");
  const auto* h100 = p->profileForResource(*p->gpuById("H100-80GB"), "nvidia.com/mig-1g.10gb");
  ASSERT_TRUE(a100 && h100);
  EXPECT_EQ(a100->memorySlices, 2u);
  EXPECT_EQ(a100->maxInstances, 4u);
  EXPECT_EQ(h100->memorySlices, 1u);
  EXPECT_EQ(h100->maxInstances, 7u);
}

TEST(ProfileLookup, H200AndGb300Share1g35gbWithDifferentCounts) {
  auto p = testing::builtin();
  ASSERT_TRUE(p);
  EXPECT_EQ(modelsFor(*p, "nvidia.com/mig-1g.35gb"), (std::vector<std::string>{"GB300-288GB", "H200-141GB"}));
  EXPECT_EQ(p->profile(*p->gpuById("H200-141GB"), "1g.35gb")->maxInstances, 4u);
  EXPECT_EQ(p->profile(*p->gpuById("GB300-288GB"), "1g.35gb")->maxInstances, 7u);
}

TEST(ProfileLookup, PlusBecomesDotInResourceNames) {
  auto p = testing::builtin();
  ASSERT_TRUE(p);
  EXPECT_EQ(modelsFor(*p, "nvidia.com/mig-1g.24gb.me.all"), std::vector<std::string>{"RTX-PRO-6000-BW-96GB"});
  EXPECT_EQ(modelsFor(*p, "nvidia.com/mig-1g.24gb-me"), std::vector<std::string>{"RTX-PRO-6000-BW-96GB"});
  EXPECT_EQ(modelsFor(*p, "nvidia.com/mig-1g.5gb.me"), std::vector<std::string>{"A100-40GB"});
  EXPECT_TRUE(modelsFor(*p, "nvidia.com/mig-1g.5gb+me").empty());
}

TEST(ProfileLookup, UnknownResourceHasNoModels) {
  auto p = testing::builtin();
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->profilesForResource("nvidia.com/mig-9g.99gb").empty());
  EXPECT_TRUE(p->profilesForResource("nvidia.com/gpu").empty());
}

TEST(GpuLookup, ByNvmlNameGfdLabelTableIdAndPciId) {
  auto p = testing::builtin();
  ASSERT_TRUE(p);
  const GpuModel* a100 = p->gpuById("A100-40GB");
  ASSERT_NE(a100, nullptr);
  EXPECT_EQ(p->gpuByName("NVIDIA A100-SXM4-40GB"), a100);
  EXPECT_EQ(p->gpuByName("NVIDIA-A100-SXM4-40GB"), a100);  // GFD nvidia.com/gpu.product
  EXPECT_EQ(p->gpuByName("A100-SXM4-40GB"), a100);
  EXPECT_EQ(p->gpuByName("a100-40gb"), a100);
  EXPECT_EQ(p->gpuByPciDeviceId(0x20B010DE), a100);
  EXPECT_EQ(p->gpuByPciDeviceId(0x20F610DE), a100);  // A800-40GB
  EXPECT_EQ(p->gpuByPciDeviceId(0x233010DE), p->gpuById("H100-80GB"));
  EXPECT_EQ(p->gpuByName("NVIDIA GeForce RTX 4090"), nullptr);
  EXPECT_EQ(p->gpuByPciDeviceId(0x12345678), nullptr);
}

TEST(ImageRules, OfficialCudaImageTagsGiveTheToolkitVersion) {
  auto p = testing::builtin();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->cudaFromImage("nvidia/cuda:12.4.1-runtime-ubuntu22.04")->toString(), "12.4.1");
  EXPECT_EQ(p->cudaFromImage("docker.io/nvidia/cuda:11.8.0-base-ubuntu20.04")->toString(), "11.8.0");
  EXPECT_EQ(p->cudaFromImage("nvcr.io/nvidia/cuda:13.0-devel-ubuntu24.04")->toString(), "13.0");
  EXPECT_EQ(p->cudaFromImage("registry.example.com/team/trainer:12.4"), std::nullopt);
  EXPECT_EQ(p->cudaFromImage("nvidia/cuda:latest"), std::nullopt);
}

TEST(CudaDeclaration, DefaultKeysMatchTheContract) {
  auto p = testing::builtin();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->data().cudaDeclaration.annotation, "migwarden.io/cuda-version");
  EXPECT_EQ(p->data().cudaDeclaration.label, "cuda.version");
  EXPECT_EQ(p->data().cudaDeclaration.requireEnv, "NVIDIA_REQUIRE_CUDA");
}

}  // namespace
}  // namespace migwarden::policy

namespace migwarden::policy {
namespace {

TEST(ImageRules, OverlongImageReferenceNeverMatchesAndNeverCrashes) {
  auto p = testing::builtin();
  ASSERT_TRUE(p);
  std::string huge = "nvidia/cuda:12.4.1-" + std::string(200000, 'a');
  EXPECT_EQ(p->cudaFromImage(huge), std::nullopt);
}

}  // namespace
}  // namespace migwarden::policy
