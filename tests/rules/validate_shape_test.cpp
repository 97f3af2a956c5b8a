// Spec: /validate shape rules (mig-profile-known, mig-and-gpu-mixed, mig-count-fits,
// ephemeral-container-gpu) through the real ReviewService.
#include <gtest/gtest.h>

#include "tests/rules/rules_test_util.h"
#include "webhook/rules/pod_validation.h"

namespace migwarden::rules {
namespace {

using admission::Endpoint;
using namespace testutil;

class ValidateShape : public ::testing::Test {
 protected:
  RulesHarness h;
  void SetUp() override { h.seed(a100Report("gpu-a", 2, "1g.10gb", 4)); }
  Outcome validate(const json& pod, const std::string& op = "CREATE") {
    return h.run(Endpoint::kValidate, podReview(pod, op), makePodValidationRules);
  }
};

TEST_F(ValidateShape, FixtureGpuPodIsAllowedAndAnnotatedWithItsSlices) {
  Outcome o = validate(fixtureGpuPod());
  EXPECT_TRUE(o.allowed) << o.message;
  EXPECT_EQ(o.annotation("slices"), "nvidia.com/mig-1g.10gb=1");
  EXPECT_TRUE(o.warnings.empty()) << o.warnings.front();
}

TEST_F(ValidateShape, UnknownMigProfileIsDeniedNamingContainerAndResource) {
  Outcome o = validate(podObject("p", {gpuContainer("train", "nvidia.com/mig-3g.41gb", 1)}));
  EXPECT_FALSE(o.allowed);
  EXPECT_EQ(o.code, 403);
  EXPECT_NE(o.message.find("migwarden mig-profile-known: container \"train\": nvidia.com/mig-3g.41gb is not a MIG "
                           "profile of any GPU in the policy"),
            std::string::npos)
      << o.message;
  EXPECT_EQ(o.annotation("rule.mig-profile-known"), "deny");
}

TEST_F(ValidateShape, FractionalDeviceCountIsRefusedNamingTheField) {
  Outcome o = validate(podObject("p", {container("train", "img", json{{kMig1g10, "500m"}})}));
  EXPECT_FALSE(o.allowed);
  EXPECT_EQ(o.code, 400);
  EXPECT_NE(o.message.find("container \"train\": resources.limits[\"nvidia.com/mig-1g.10gb\"]"), std::string::npos)
      << o.message;
  EXPECT_NE(o.message.find("500m is not a whole number of devices"), std::string::npos) << o.message;
}

TEST_F(ValidateShape, WholeGpuAndMigInOneContainerIsDenied) {
  json c = container("train", "img", json{{kWholeGpu, 1}, {kMig1g10, 1}});
  Outcome o = validate(podObject("p", {c}));
  EXPECT_FALSE(o.allowed);
  EXPECT_NE(o.message.find("mig-and-gpu-mixed: container \"train\": requests nvidia.com/gpu and "
                           "nvidia.com/mig-1g.10gb together"),
            std::string::npos)
      << o.message;
}

TEST_F(ValidateShape, WholeGpuAndMigInDifferentContainersIsAllowedByTheMixRule) {
  Outcome o = validate(podObject("p", {gpuContainer("a", kWholeGpu, 1), gpuContainer("b", kMig1g10, 1)}));
  EXPECT_EQ(o.annotation("rule.mig-and-gpu-mixed"), "");
}

TEST_F(ValidateShape, CountBeyondWhatOneNodeCanHoldIsDenied) {
  // 1g.10gb: at most 4 per A100-40GB, 7 per A100-80GB/H100 class; 8 GPUs per node.
  Outcome o = validate(podObject("p", {gpuContainer("train", kMig1g10, 100)}));
  EXPECT_FALSE(o.allowed);
  EXPECT_NE(o.message.find("mig-count-fits: container \"train\": nvidia.com/mig-1g.10gb=100 cannot fit on one node"),
            std::string::npos)
      << o.message;
}

TEST_F(ValidateShape, CountCeilingGrowsWithTheLargestNodeTheLedgerKnows) {
  json pod = podObject("p", {gpuContainer("train", kMig1g10, 60)});
  Outcome before = validate(pod);
  EXPECT_EQ(before.annotation("rule.mig-count-fits"), "deny");  // 7 x 8 = 56 < 60
  EXPECT_NE(before.message.find("at most 7 per A100-80GB GPU x 8 GPUs per node = 56"), std::string::npos)
      << before.message;
  h.seed(a100Report("gpu-big", 16, "1g.10gb", 4));
  Outcome after = validate(pod);
  EXPECT_EQ(after.annotation("rule.mig-count-fits"), "");  // 7 x 16 = 112
}

TEST_F(ValidateShape, InitAndRegularContainersAreCountedLikeTheKubelet) {
  json pod = podObject("p", {gpuContainer("a", kMig1g10, 2), gpuContainer("b", kMig1g10, 1)});
  pod["spec"]["initContainers"] = json::array({gpuContainer("init", kMig1g10, 3)});
  Outcome o = validate(pod);
  EXPECT_EQ(o.annotation("slices"), "nvidia.com/mig-1g.10gb=3");
}

TEST_F(ValidateShape, EphemeralContainerRequestingGpuIsDenied) {
  json old = fixtureGpuPod();
  json pod = old;
  json debug = gpuContainer("debugger", kMig1g10, 1, "busybox");
  pod["spec"]["ephemeralContainers"] = json::array({debug});
  Outcome o = h.run(Endpoint::kValidate, ephemeralContainersReview(pod, old), makePodValidationRules);
  EXPECT_FALSE(o.allowed);
  EXPECT_NE(o.message.find("ephemeral-container-gpu: ephemeral container \"debugger\": nvidia.com/mig-1g.10gb"),
            std::string::npos)
      << o.message;
}

TEST_F(ValidateShape, ShapeFindingHonoursAPerNamespaceWarnOverride) {
  h.overrideAction("mig-profile-known", policy::Action::kWarn);
  Outcome o = validate(podObject("p", {gpuContainer("train", "nvidia.com/mig-3g.41gb", 1)}));
  EXPECT_TRUE(o.allowed) << o.message;
  EXPECT_TRUE(o.hasWarningContaining("container \"train\": nvidia.com/mig-3g.41gb is not a MIG profile"));
  EXPECT_EQ(o.annotation("rule.mig-profile-known"), "warn");
  EXPECT_EQ(o.annotation("rule.cluster-feasibility"), "");  // reported once, by mig-profile-known
}

TEST_F(ValidateShape, ShapeFindingInAnotherNamespaceKeepsTheDefaultDeny) {
  h.overrideAction("mig-profile-known", policy::Action::kWarn, "sandbox");
  Outcome o = validate(podObject("p", {gpuContainer("train", "nvidia.com/mig-3g.41gb", 1)}));
  EXPECT_FALSE(o.allowed);
  EXPECT_EQ(o.annotation("rule.mig-profile-known"), "deny");
}

TEST_F(ValidateShape, IgnoredNamespaceIsNotChecked) {
  Outcome o = validate(podObject("p", {gpuContainer("train", "nvidia.com/mig-3g.41gb", 1)}, kPodUid, "kube-system"));
  EXPECT_TRUE(o.allowed);
  EXPECT_TRUE(o.annotations.empty());
}

}  // namespace
}  // namespace migwarden::rules
