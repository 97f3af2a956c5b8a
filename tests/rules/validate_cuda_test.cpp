// Spec: /validate CUDA/driver feasibility against the ledger (cluster-feasibility,
// cuda-driver-compatible, mig-driver-minimum, cuda-label-conflict).
#include <gtest/gtest.h>

#include "tests/rules/rules_test_util.h"
#include "webhook/rules/pod_validation.h"

namespace migwarden::rules {
namespace {

using admission::Endpoint;
using namespace testutil;

class ValidateCuda : public ::testing::Test {
 protected:
  RulesHarness h;
  Outcome validate(const json& pod) { return h.run(Endpoint::kValidate, podReview(pod), makePodValidationRules); }
  static json withCuda(json pod, const std::string& version) {
    pod["metadata"]["annotations"]["migwarden.io/cuda-version"] = version;
    return pod;
  }
};

TEST_F(ValidateCuda, EmptyLedgerOnlyWarnsSoAFreshInstallDoesNotBlock) {
  Outcome o = validate(fixtureGpuPod());
  EXPECT_TRUE(o.allowed) << o.message;
  EXPECT_TRUE(o.hasWarningContaining("cluster-feasibility (no GPU node reported yet, not enforced): pod: no node"));
  EXPECT_EQ(o.annotation("rule.cluster-feasibility"), "warn");
}

TEST_F(ValidateCuda, PodIsAllowedWhenSomeNodeHasTheSlicesAndACompatibleDriver) {
  h.seed(a100Report("gpu-old", 1, "1g.10gb", 4, "470.82.01"));
  h.seed(a100Report("gpu-new", 1, "1g.10gb", 4, "550.54.15"));
  Outcome o = validate(fixtureGpuPod());
  EXPECT_TRUE(o.allowed) << o.message;
  EXPECT_TRUE(o.warnings.empty());
}

TEST_F(ValidateCuda, NoNodeWithTheProfileIsDenied) {
  h.seed(a100Report("gpu-a", 1, "1g.5gb", 7));
  Outcome o = validate(fixtureGpuPod());
  EXPECT_FALSE(o.allowed);
  EXPECT_NE(o.message.find("cluster-feasibility: pod: no node in the ledger has nvidia.com/mig-1g.10gb=1 healthy"),
            std::string::npos)
      << o.message;
}

TEST_F(ValidateCuda, DriverTooOldForTheDeclaredCudaIsDeniedNamingTheNode) {
  h.seed(a100Report("gpu-a", 1, "1g.10gb", 4, "470.82.01"));
  Outcome o = validate(fixtureGpuPod());
  EXPECT_FALSE(o.allowed);
  EXPECT_NE(o.message.find("cuda-driver-compatible: pod needs CUDA 12.4 (annotation \"migwarden.io/cuda-version\")"),
            std::string::npos)
      << o.message;
  EXPECT_NE(o.message.find("node gpu-a (driver 470.82.01)"), std::string::npos) << o.message;
}

TEST_F(ValidateCuda, DriverFindingHonoursANamespaceWarnOverride) {
  h.seed(a100Report("gpu-a", 1, "1g.10gb", 4, "470.82.01"));
  h.overrideAction("cuda-driver-compatible", policy::Action::kWarn);
  Outcome o = validate(fixtureGpuPod());
  EXPECT_TRUE(o.allowed) << o.message;
  EXPECT_TRUE(o.hasWarningContaining("cuda-driver-compatible"));
}

TEST_F(ValidateCuda, RequireCudaEnvDeclaresTheNeedWhenNoAnnotationExists) {
  h.seed(a100Report("gpu-a", 1, "1g.10gb", 4, "470.82.01"));
  json c = gpuContainer("train", kMig1g10, 1, "registry.example/own:1");
  addEnv(c, "NVIDIA_REQUIRE_CUDA", "cuda>=12.4");
  Outcome o = validate(podObject("p", {c}));
  EXPECT_FALSE(o.allowed);
  EXPECT_NE(o.message.find("needs CUDA 12.4 (container \"train\" env NVIDIA_REQUIRE_CUDA)"), std::string::npos)
      << o.message;
}

TEST_F(ValidateCuda, MalformedAnnotationIsDeniedNamingTheField) {
  h.seed(a100Report("gpu-a", 1, "1g.10gb", 4));
  Outcome o = validate(withCuda(fixtureGpuPod(), "twelve"));
  EXPECT_FALSE(o.allowed);
  EXPECT_NE(o.message.find("metadata.annotations[\"migwarden.io/cuda-version\"]: \"twelve\" is not a CUDA version"),
            std::string::npos)
      << o.message;
}

TEST_F(ValidateCuda, AnnotationWinsOverAConflictingLabelWithAWarning) {
  h.seed(a100Report("gpu-a", 1, "1g.10gb", 4));
  json pod = fixtureGpuPod();
  pod["metadata"]["labels"]["cuda.version"] = "11.8";
  Outcome o = validate(pod);
  EXPECT_TRUE(o.allowed) << o.message;
  EXPECT_TRUE(o.hasWarningContaining("cuda-label-conflict: annotation migwarden.io/cuda-version=12.4 != label "
                                     "cuda.version=11.8; using 12.4"))
      << (o.warnings.empty() ? std::string("no warnings") : o.warnings.front());
}

TEST_F(ValidateCuda, MigDriverMinimumAppliesWithoutACudaNeed) {
  h.seed(a100Report("gpu-a", 1, "1g.10gb", 4, "440.33.01"));
  Outcome o = validate(podObject("p", {gpuContainer("train", kMig1g10, 1, "registry.example/own:1")}));
  EXPECT_FALSE(o.allowed);
  EXPECT_NE(o.message.find("mig-driver-minimum: pod no node with nvidia.com/mig-1g.10gb=1 can run it: node gpu-a: "
                           "driver 440.33.01 is below the MIG minimum 450.80.02 for A100-40GB"),
            std::string::npos)
      << o.message;
}

}  // namespace
}  // namespace migwarden::rules
