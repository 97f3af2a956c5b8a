// Spec: /validate ledger side effects (pending record, spec.nodeName reservation,
// DELETE release, dryRun, read-only ledger).
#include <gtest/gtest.h>

#include "tests/rules/rules_test_util.h"
#include "webhook/rules/pod_validation.h"

namespace migwarden::rules {
namespace {

using admission::Endpoint;
using namespace testutil;

class ValidateLedger : public ::testing::Test {
 protected:
  RulesHarness h;
  void SetUp() override { h.seed(a100Report("gpu-a", 1, "1g.10gb", 4)); }
  Outcome run(const json& review) { return h.run(Endpoint::kValidate, review, makePodValidationRules); }
  static json onNode(json pod, const std::string& node) {
    pod["spec"]["nodeName"] = node;
    return pod;
  }
};

TEST_F(ValidateLedger, GpuPodCreateRecordsItsNeedsAsPending) {
  Outcome o = run(podReview(fixtureGpuPod()));
  ASSERT_TRUE(o.allowed) << o.message;
  auto pending = h.store().pendingOf(kPodUid);
  ASSERT_TRUE(pending.has_value());
  EXPECT_EQ(pending->ns, "ml");
  EXPECT_EQ(pending->name, "train-x7k2p");
  EXPECT_EQ(pending->needs, (ledger::ResourceCounts{{kMig1g10, 1}}));
  EXPECT_EQ(o.annotation("slices"), "nvidia.com/mig-1g.10gb=1");
}

TEST_F(ValidateLedger, DeniedPodIsNotRecorded) {
  json c = gpuContainer("train", kMig1g10, 1);
  addEnv(c, "CUDA_VISIBLE_DEVICES", "0");
  Outcome o = run(podReview(podObject("p", {c})));
  EXPECT_FALSE(o.allowed);
  EXPECT_FALSE(h.store().pendingOf(kPodUid).has_value());
}

TEST_F(ValidateLedger, DryRunDecidesTheSameAndChangesNothing) {
  Outcome o = run(podReview(onNode(fixtureGpuPod(), "gpu-a"), "CREATE", /*dryRun=*/true));
  EXPECT_TRUE(o.allowed) << o.message;
  EXPECT_FALSE(h.store().pendingOf(kPodUid).has_value());
  EXPECT_FALSE(h.store().reservationOf(kPodUid).has_value());
  EXPECT_EQ(h.store().freeSlices("gpu-a", kMig1g10), 4);
}

TEST_F(ValidateLedger, GpuPodWithoutUidIsRefusedNamingTheField) {
  Outcome o = run(podReview(fixtureGpuPod(/*uid=*/"")));
  EXPECT_FALSE(o.allowed);
  EXPECT_EQ(o.code, 400);
  EXPECT_NE(o.message.find("request.object.metadata.uid: required for a GPU pod"), std::string::npos) << o.message;
}

TEST_F(ValidateLedger, NonGpuPodWithoutUidIsAllowed) {
  Outcome o = run(podReview(podObject("web", {container("web", "nginx")}, /*uid=*/"")));
  EXPECT_TRUE(o.allowed) << o.message;
}

TEST_F(ValidateLedger, PodCreatedWithNodeNameReservesOnThatNode) {
  Outcome o = run(podReview(onNode(fixtureGpuPod(), "gpu-a")));
  ASSERT_TRUE(o.allowed) << o.message;
  auto reservation = h.store().reservationOf(kPodUid);
  ASSERT_TRUE(reservation.has_value());
  EXPECT_EQ(reservation->node, "gpu-a");
  EXPECT_EQ(reservation->expiresAt - reservation->createdAt, h.deps().reservationTtl);
  EXPECT_EQ(h.store().freeSlices("gpu-a", kMig1g10), 3);
}

TEST_F(ValidateLedger, PodCreatedWithNodeNameIsDeniedNamingNodeAndShortfall) {
  json pod = podObject("big", {gpuContainer("train", kMig1g10, 3)});
  ASSERT_TRUE(run(podReview(onNode(pod, "gpu-a"))).allowed);
  json second = podObject("big-2", {gpuContainer("train", kMig1g10, 2)}, "uid-2");
  Outcome o = run(podReview(onNode(second, "gpu-a")));
  EXPECT_FALSE(o.allowed);
  EXPECT_NE(o.message.find("binding-capacity: spec.nodeName \"gpu-a\": cannot reserve nvidia.com/mig-1g.10gb=2"),
            std::string::npos)
      << o.message;
  EXPECT_FALSE(h.store().reservationOf("uid-2").has_value());
}

TEST_F(ValidateLedger, NodeNameOfANodeTheAgentNeverReportedIsDenied) {
  Outcome o = run(podReview(onNode(fixtureGpuPod(), "gpu-z")));
  EXPECT_FALSE(o.allowed);
  EXPECT_NE(o.message.find("binding-capacity: spec.nodeName \"gpu-z\": cannot reserve"), std::string::npos)
      << o.message;
  EXPECT_FALSE(h.store().pendingOf(kPodUid).has_value());
}

TEST_F(ValidateLedger, NodeNameShortfallUnderAWarnOverrideAdmitsWithoutHoldingAnything) {
  h.overrideAction("binding-capacity", policy::Action::kWarn);
  Outcome o = run(podReview(onNode(podObject("big", {gpuContainer("train", kMig1g10, 4)}), "gpu-a")));
  ASSERT_TRUE(o.allowed) << o.message;
  json second = podObject("big-2", {gpuContainer("train", kMig1g10, 1)}, "uid-2");
  Outcome o2 = run(podReview(onNode(second, "gpu-a")));
  EXPECT_TRUE(o2.allowed) << o2.message;
  EXPECT_TRUE(o2.hasWarningContaining("binding-capacity: spec.nodeName \"gpu-a\""));
  EXPECT_FALSE(h.store().reservationOf("uid-2").has_value());
  EXPECT_FALSE(h.store().pendingOf("uid-2").has_value());
}

TEST_F(ValidateLedger, DeleteReleasesThePodsReservationAndIsAllowed) {
  json pod = onNode(fixtureGpuPod(), "gpu-a");
  ASSERT_TRUE(run(podReview(pod)).allowed);
  ASSERT_EQ(h.store().freeSlices("gpu-a", kMig1g10), 3);
  Outcome o = run(podReview(pod, "DELETE"));
  EXPECT_TRUE(o.allowed) << o.message;
  EXPECT_FALSE(h.store().reservationOf(kPodUid).has_value());
  EXPECT_FALSE(h.store().pendingOf(kPodUid).has_value());
  EXPECT_EQ(h.store().freeSlices("gpu-a", kMig1g10), 4);
}

TEST_F(ValidateLedger, DryRunDeleteKeepsTheReservation) {
  json pod = onNode(fixtureGpuPod(), "gpu-a");
  ASSERT_TRUE(run(podReview(pod)).allowed);
  EXPECT_TRUE(run(podReview(pod, "DELETE", /*dryRun=*/true)).allowed);
  EXPECT_TRUE(h.store().reservationOf(kPodUid).has_value());
}

TEST_F(ValidateLedger, ReadOnlyLedgerRefusesGpuPodsWith503) {
  h.makeLedgerReadOnly();
  Outcome o = run(podReview(fixtureGpuPod()));
  EXPECT_FALSE(o.allowed);
  EXPECT_EQ(o.code, 503);
  EXPECT_EQ(o.reason, "ServiceUnavailable");
  EXPECT_NE(o.message.find("GPU allocation ledger cannot record this pod"), std::string::npos) << o.message;
}

TEST_F(ValidateLedger, ReadOnlyLedgerStillAdmitsNonGpuPodsAndDeletes) {
  json pod = fixtureGpuPod();
  ASSERT_TRUE(run(podReview(pod)).allowed);
  h.makeLedgerReadOnly();
  EXPECT_TRUE(run(fixture("admission/non-gpu-pod-create.json")).allowed);
  EXPECT_TRUE(run(podReview(pod, "DELETE")).allowed);
}

}  // namespace
}  // namespace migwarden::rules
