// Semantic validation: rules that span fields.
#include <gtest/gtest.h>

#include "tests/policy/policy_test_util.h"

namespace migwarden::policy {
namespace {

using testing::compileText;
using testing::minimalSource;

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

std::string errorsFor(const std::string& text) {
  auto r = compileText(text);
  EXPECT_FALSE(r.policy) << "expected the policy to be refused";
  return formatDiagnostics(r.errors);
}

TEST(PolicyValidator, DuplicateProfileNameOnOneGpu) {
  auto e = errorsFor(replaced(minimalSource(), "\"name\": \"3g.20gb\"", "\"name\": \"1g.5gb\""));
  EXPECT_NE(e.find("gpus[0].migProfiles[1].name: duplicate profile \"1g.5gb\""), std::string::npos) << e;
}

TEST(PolicyValidator, DuplicateGpuId) {
  std::string second = R"({"id": "A100-40GB", "pciDeviceIds": ["0x20B010DE"], "computeCapability": "8.0",
     "memorySlices": 8, "computeSlices": 7, "maxGpuInstances": 7,
     "migProfiles": [{"name": "7g.40gb", "computeSlices": 7, "memorySlices": 8, "maxInstances": 1}]},
    {"id": "A100-40GB", "pciDeviceIds": ["0x20B010DE"])";
  auto e = errorsFor(replaced(minimalSource(), R"({"id": "A100-40GB", "productNames": ["NVIDIA A100-SXM4-40GB"], "pciDeviceIds": ["0x20B010DE"])", second));
  EXPECT_NE(e.find("gpus[1].id: duplicate GPU id \"A100-40GB\""), std::string::npos) << e;
  EXPECT_NE(e.find("gpus[1].pciDeviceIds[0]: PCI device id already belongs to another GPU model"), std::string::npos) << e;
}

TEST(PolicyValidator, PlacementPastTheLastMemorySlice) {
  auto e = errorsFor(replaced(minimalSource(), "\"placementStarts\": [0,4]", "\"placementStarts\": [0,6]"));
  EXPECT_NE(e.find("gpus[0].migProfiles[1].placementStarts[1]: placement 6:4 ends past the GPU's 8 memory slices"),
            std::string::npos)
      << e;
}

TEST(PolicyValidator, OverlappingPlacementsThatCannotHoldMaxInstances) {
  auto e = errorsFor(replaced(minimalSource(), "\"placementStarts\": [0,4]", "\"placementStarts\": [0,2]"));
  EXPECT_NE(e.find("only 1 placements fit without overlapping, but maxInstances is 2"), std::string::npos) << e;
}

TEST(PolicyValidator, DuplicatePlacementStart) {
  auto e = errorsFor(replaced(minimalSource(), "\"placementStarts\": [0,4]", "\"placementStarts\": [0,4,4]"));
  EXPECT_NE(e.find("duplicate placement start 4"), std::string::npos) << e;
}

TEST(PolicyValidator, ProfileNameMustAgreeWithSlices) {
  auto e = errorsFor(replaced(minimalSource(), "\"name\": \"3g.20gb\", \"computeSlices\": 3",
                              "\"name\": \"3g.20gb\", \"computeSlices\": 2"));
  EXPECT_NE(e.find("gpus[0].migProfiles[1].computeSlices: is 2 but the name says 3g"), std::string::npos) << e;
}

TEST(PolicyValidator, ComputeInstanceProfilesAreRefused) {
  auto e = errorsFor(replaced(minimalSource(), "\"name\": \"3g.20gb\"", "\"name\": \"1c.3g.20gb\""));
  EXPECT_NE(e.find("is not a GPU-instance profile name"), std::string::npos) << e;
}

TEST(PolicyValidator, ResourceNameMustBeTheDevicePluginName) {
  auto e = errorsFor(replaced(minimalSource(), "{\"name\": \"1g.5gb\",", "{\"name\": \"1g.5gb\", \"resourceName\": \"nvidia.com/1g.5gb\","));
  EXPECT_NE(e.find("resourceName: must be \"nvidia.com/mig-1g.5gb\""), std::string::npos) << e;
}

TEST(PolicyValidator, MaxInstancesBeyondTheGpusSlices) {
  auto e = errorsFor(replaced(minimalSource(), "\"memorySlices\": 4, \"maxInstances\": 2", "\"memorySlices\": 4, \"maxInstances\": 3"));
  EXPECT_NE(e.find("3 x 3 compute slices exceed the GPU's 7"), std::string::npos) << e;
}

TEST(PolicyValidator, CudaTableMustNotGoBackwards) {
  auto e = errorsFor(replaced(minimalSource(), "\"550.54.15\"", "\"550.54.13\""));
  EXPECT_NE(e.find("cuda.releases[2].linuxMinDriver: CUDA 12.4 Update 1 requires 550.54.13, less than the older CUDA 12.4 GA"),
            std::string::npos)
      << e;
}

TEST(PolicyValidator, DuplicateCudaRelease) {
  auto e = errorsFor(replaced(minimalSource(), "\"version\": \"12.4.1\"", "\"version\": \"12.4.0\""));
  EXPECT_NE(e.find("duplicate CUDA release 12.4.0"), std::string::npos) << e;
}

TEST(PolicyValidator, GpuComputeCapabilityMustBeAKnownArchitecture) {
  auto e = errorsFor(replaced(minimalSource(), "[\"8.0\", \"8.6\"]", "[\"8.6\"]"));
  EXPECT_NE(e.find("gpus[0].computeCapability: compute capability 8.0 is not in cuda.architectures"), std::string::npos) << e;
}

TEST(PolicyValidator, MigGpuBelowComputeCapability8IsRefused) {
  auto e = errorsFor(replaced(minimalSource(), "\"computeCapability\": \"8.0\"", "\"computeCapability\": \"7.0\""));
  EXPECT_NE(e.find("MIG needs compute capability 8.0 or newer"), std::string::npos) << e;
}

TEST(PolicyValidator, OverrideNamingAnUnknownRule) {
  auto e = errorsFor(replaced(minimalSource(), "\"rules\": [{\"id\": \"cuda-driver-compatible\"}]",
                              "\"rules\": [{\"id\": \"cuda-driver-compatible\"}], "
                              "\"overrides\": [{\"rules\": [\"cuda-drivr\"], \"action\": \"warn\", \"namespaces\": [\"ml\"]}]"));
  EXPECT_NE(e.find("enforcement.overrides[0].rules[0]: unknown rule \"cuda-drivr\""), std::string::npos) << e;
}

TEST(PolicyValidator, OverrideWithoutNamespacesOrSelector) {
  auto e = errorsFor(replaced(minimalSource(), "\"rules\": [{\"id\": \"cuda-driver-compatible\"}]",
                              "\"rules\": [{\"id\": \"cuda-driver-compatible\"}], \"overrides\": [{\"action\": \"warn\"}]"));
  EXPECT_NE(e.find("enforcement.overrides[0]: needs namespaces or namespaceSelector"), std::string::npos) << e;
}

TEST(PolicyValidator, ImageRuleRegexMustCompile) {
  auto e = errorsFor(replaced(minimalSource(), "\"enforcement\"",
                              "\"cudaDeclaration\": {\"imageRules\": [{\"match\": \"nvidia/cuda:([0-9.\", \"cudaVersion\": \"$1\"}]},\n"
                              "  \"enforcement\""));
  EXPECT_NE(e.find("cudaDeclaration.imageRules[0].match: regular expression does not compile"), std::string::npos) << e;
}

TEST(PolicyValidator, ImageRuleCaptureGroupMustExist) {
  auto e = errorsFor(replaced(minimalSource(), "\"enforcement\"",
                              "\"cudaDeclaration\": {\"imageRules\": [{\"match\": \"nvidia/cuda:\", \"cudaVersion\": \"$1\"}]},\n"
                              "  \"enforcement\""));
  EXPECT_NE(e.find("\"$1\" is not a capture group of match (it has 0)"), std::string::npos) << e;
}

TEST(PolicyValidator, SemanticErrorsNameTheSourceFileOfTheGpu) {
  std::string cudaOnly = R"({"cuda": {"releases": [{"version": "12.0.0", "linuxMinDriver": "525.60.13"}]}})";
  std::string gpu = R"({"gpus": [{"id": "A30-24GB", "pciDeviceIds": ["0x20B710DE"], "computeCapability": "8.0",
      "memorySlices": 4, "computeSlices": 4, "maxGpuInstances": 4,
      "migProfiles": [{"name": "1g.6gb", "computeSlices": 1, "memorySlices": 1, "maxInstances": 4},
                      {"name": "1g.6gb", "computeSlices": 1, "memorySlices": 1, "maxInstances": 4}]}]})";
  auto r = compileSources({{"cuda.jsonc", cudaOnly}, {"a30.jsonc", gpu}});
  ASSERT_FALSE(r.policy);
  EXPECT_NE(formatDiagnostics(r.errors).find("a30.jsonc: gpus[0].migProfiles[1].name: duplicate profile"), std::string::npos)
      << formatDiagnostics(r.errors);
}

}  // namespace
}  // namespace migwarden::policy

namespace migwarden::policy {
namespace {

TEST(PolicyValidator, HugeNumbersInAProfileNameAreAnErrorNotACrash) {
  std::string text = testing::minimalSource();
  text.replace(text.find("\"name\": \"3g.20gb\""), 17, "\"name\": \"99999999999999999999999g.20gb\"");
  auto r = testing::compileText(text);
  ASSERT_FALSE(r.policy);
  EXPECT_NE(formatDiagnostics(r.errors).find("is not a GPU-instance profile name"), std::string::npos);
}

}  // namespace
}  // namespace migwarden::policy
