// Spec: the node requirements behind mutate-node-affinity (mutate_node_requirements.h):
// the declared CUDA version, the driver floor and its encoding as Gt/Lt terms.
#include "webhook/rules/mutate_node_requirements.h"

#include <gtest/gtest.h>

#include "tests/rules/rules_test_util.h"

namespace migwarden::rules {
namespace {

using admission::NodeSelectorRequirement;

policy::Version v(const char* text) { return *policy::Version::parse(text); }

std::string show(const std::vector<NodeTerm>& terms) {
  std::string out;
  for (const NodeTerm& t : terms) {
    out += "{";
    for (const NodeSelectorRequirement& r : t) {
      std::string key = r.key.substr(r.key.rfind('.') + 1);  // major / minor / revision
      out += " " + key + " " + r.operator_ + " " + r.values.at(0);
    }
    out += " }";
  }
  return out;
}

TEST(DriverAtLeast, ThreeComponentFloorNeedsThreeAlternatives) {
  EXPECT_EQ(show(driverAtLeast(policy::NodeLabels{}, v("525.60.13"))),
            "{ major Gt 525 }{ major Gt 524 major Lt 526 minor Gt 60 }"
            "{ major Gt 524 major Lt 526 minor Gt 59 minor Lt 61 revision Gt 12 }");
}

TEST(DriverAtLeast, FloorWithoutRevisionNeedsTwo) {
  EXPECT_EQ(show(driverAtLeast(policy::NodeLabels{}, v("570.26"))),
            "{ major Gt 570 }{ major Gt 569 major Lt 571 minor Gt 25 }");
}

TEST(DriverAtLeast, BareMajorFloorNeedsOne) {
  EXPECT_EQ(show(driverAtLeast(policy::NodeLabels{}, v("580"))), "{ major Gt 579 }");
}

TEST(DriverAtLeast, UsesThePolicyLabelKeys) {
  policy::NodeLabels labels;
  labels.driverMajor = "example.com/drv-major";
  for (const NodeTerm& t : driverAtLeast(labels, v("580.1.2"))) EXPECT_EQ(t.front().key, "example.com/drv-major");
}

class NodeRequirementsTest : public ::testing::Test {
 protected:
  testutil::RulesHarness h;

  admission::Pod decode(const testutil::json& pod) {
    doc_.Parse(pod.dump().c_str());
    auto p = admission::decodePod(doc_, "request.object");
    EXPECT_TRUE(p.ok()) << p.status().toString();
    return p.ok() ? *p : admission::Pod{};
  }

  std::optional<policy::Version> cudaOf(const testutil::json& pod) {
    admission::Pod p = decode(pod);
    auto gpu = gpuRequests(p);
    EXPECT_TRUE(gpu.ok());
    return declaredCudaVersion(h.policy(), p, *gpu);
  }

  rapidjson::Document doc_;
};

TEST_F(NodeRequirementsTest, CudaFloorIsTheMinorVersionCompatibilityFloorWhenThePolicyAllowsIt) {
  EXPECT_EQ(cudaDriverFloor(h.policy(), v("12.4")), v("525.60.13"));
  EXPECT_EQ(cudaDriverFloor(h.policy(), v("13.0")), v("580.65.06"));
  h.editPolicy([](policy::PolicyData& d) { d.cuda.allowMinorVersionCompatibility = false; });
  EXPECT_EQ(cudaDriverFloor(h.policy(), v("12.4")), v("550.54.14"));
  EXPECT_EQ(cudaDriverFloor(h.policy(), v("12.4.1")), v("550.54.15"));
  EXPECT_FALSE(cudaDriverFloor(h.policy(), v("99.0")).has_value());
}

TEST_F(NodeRequirementsTest, DeclaredCudaFollowsThePolicyPrecedence) {
  auto gpuC = testutil::gpuContainer("train", testutil::kMig1g10, 1, "nvidia/cuda:12.6.0-runtime-ubuntu22.04");
  testutil::json pod = testutil::podObject("p", {gpuC}, "");
  EXPECT_EQ(cudaOf(pod), v("12.6.0")) << "image rule";

  testutil::addEnv(pod["spec"]["containers"][0], "NVIDIA_REQUIRE_CUDA",
                   "cuda>=12.5 brand=tesla,driver>=470,driver<471");
  EXPECT_EQ(cudaOf(pod), v("12.5")) << "env beats image";

  pod["metadata"]["labels"]["cuda.version"] = "12.2";
  EXPECT_EQ(cudaOf(pod), v("12.2")) << "label beats env";

  pod["metadata"]["annotations"]["migwarden.io/cuda-version"] = "12.1";
  EXPECT_EQ(cudaOf(pod), v("12.1")) << "annotation beats label";

  pod["metadata"]["annotations"]["migwarden.io/cuda-version"] = "twelve";
  EXPECT_FALSE(cudaOf(pod).has_value()) << "unparsable: the validation rules report it";
}

TEST_F(NodeRequirementsTest, NonGpuContainersDoNotDeclareTheCudaNeed) {
  testutil::json pod = testutil::podObject("p",
                                           {testutil::container("tool", "nvidia/cuda:12.6.0-base-ubuntu22.04"),
                                            testutil::gpuContainer("train", testutil::kMig1g10, 1)},
                                           "");
  EXPECT_FALSE(cudaOf(pod).has_value());
}

TEST_F(NodeRequirementsTest, UnknownProfileGivesNoProductRequirement) {
  testutil::json pod = testutil::podObject("p", {testutil::gpuContainer("train", "nvidia.com/mig-9g.999gb", 1)}, "");
  admission::Pod p = decode(pod);
  auto gpu = gpuRequests(p);
  ASSERT_TRUE(gpu.ok());
  NodeRequirements r = nodeRequirements(h.policy(), p, *gpu);
  EXPECT_TRUE(r.products.empty());
  EXPECT_TRUE(r.anyOf.empty()) << "nothing known to require";
}

TEST_F(NodeRequirementsTest, ProductValuesAreGfdLabelValues) {
  testutil::json pod = testutil::podObject("p", {testutil::gpuContainer("train", testutil::kMig1g5, 1)}, "");
  admission::Pod p = decode(pod);
  auto gpu = gpuRequests(p);
  ASSERT_TRUE(gpu.ok());
  NodeRequirements r = nodeRequirements(h.policy(), p, *gpu);
  EXPECT_EQ(r.products, (std::vector<std::string>{"NVIDIA-A100-PCIE-40GB", "NVIDIA-A100-SXM4-40GB",
                                                  "NVIDIA-A800-PCIE-40GB", "NVIDIA-A800-SXM4-40GB"}));
  EXPECT_EQ(r.driverFloor, v("450.80.02")) << "the A100's MIG minimum driver";
  for (const NodeTerm& t : r.anyOf) EXPECT_EQ(t.front().key, "nvidia.com/gpu.product");
}

}  // namespace
}  // namespace migwarden::rules
