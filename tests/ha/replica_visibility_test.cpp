// Three replicas share one ledger: what a node agent reports to any one of them decides
// the bindings every replica answers, within a watch round trip.
#include <nlohmann/json.hpp>

#include "tests/ha/ha_test_base.h"

namespace migwarden::testing::ha {
namespace {

using nlohmann::json;

class HaReplicas : public HaTest {};

TEST_F(HaReplicas, AnAgentReportSentToOneReplicaDecidesTheOtherReplicasBindings) {
  // Another GPU node is known everywhere, so an unreported node is refused rather than
  // let through with a warning (the fresh-install grace).
  report(a100NodeReport("gpu-other", 1, 1));
  validatePods(1, 2);
  Verdict before = replicas_->admit(1, bindingReview(podUid(1), podName(1), "gpu-a", /*dryRun=*/true));
  ASSERT_TRUE(before.answered) << before.failure;
  EXPECT_FALSE(before.allowed);
  EXPECT_NE(before.message.find("has not reported this node"), std::string::npos) << before.message;

  // The agent of gpu-a reports to replica 0: one free 1g.5gb slice (the other is bound).
  json gpuA = json::parse(readFixture("ledger/node-report-gpu-a.json"));
  ASSERT_EQ(replicas_->putNodeReport(0, gpuA), 200);
  for (int replica : {1, 2}) {
    EXPECT_TRUE(pollUntil(
        [&] { return replicas_->admit(replica, bindingReview(podUid(1), podName(1), "gpu-a", true)).allowed; },
        kConvergence))
        << "replica " << replica << " never saw gpu-a's report\n" << replicas_->outputs();
  }

  Verdict first = replicas_->admit(1, bindingReview(podUid(1), podName(1), "gpu-a"));
  EXPECT_TRUE(first.allowed) << first.message << first.failure;
  Verdict second = replicas_->admit(2, bindingReview(podUid(2), podName(2), "gpu-a"));
  ASSERT_TRUE(second.answered) << second.failure;
  EXPECT_FALSE(second.allowed) << "replica 2 gave away the slice replica 1 reserved";
  EXPECT_NE(second.message.find(kSliceResource), std::string::npos) << second.message;

  // The kubelet gives pod 1 the slice; later the agent (via replica 0) no longer sees it.
  gpuA["sequence"] = 8;
  gpuA["allocations"].push_back({{"podUid", podUid(1)}, {"namespace", "ml"}, {"pod", podName(1)},
                                 {"container", "train"}, {"resource", kSliceResource},
                                 {"deviceIds", {"MIG-0c6a3e8f-1b2d-5f4a-8e9c-7d1a2b3c4d02"}}});
  ASSERT_EQ(replicas_->putNodeReport(0, gpuA), 200);
  gpuA["sequence"] = 9;
  gpuA["allocations"].erase(gpuA["allocations"].size() - 1);
  ASSERT_EQ(replicas_->putNodeReport(0, gpuA), 200);
  EXPECT_TRUE(pollUntil(
      [&] { return replicas_->admit(2, bindingReview(podUid(2), podName(2), "gpu-a", true)).allowed; }, kConvergence))
      << "replica 2 never saw the slice freed by the agent\n" << replicas_->outputs();
  Verdict third = replicas_->admit(2, bindingReview(podUid(2), podName(2), "gpu-a"));
  EXPECT_TRUE(third.allowed) << third.message << third.failure;
}

TEST_F(HaReplicas, AStaleSequenceIsRefusedByEveryReplicaNotOnlyTheOneThatAcceptedTheNewerReport) {
  report(a100NodeReport("gpu-a", 1, 7), /*via=*/0);
  EXPECT_EQ(replicas_->putNodeReport(1, a100NodeReport("gpu-a", 1, 6)), 409);
  EXPECT_EQ(replicas_->putNodeReport(2, a100NodeReport("gpu-a", 1, 7)), 200) << "an equal sequence is a retry";
}

}  // namespace
}  // namespace migwarden::testing::ha
