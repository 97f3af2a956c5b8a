// A replica is SIGKILLed under load (node failure, OOM kill): the others keep serving,
// the apiserver's retries land on them, and what the dead replica acknowledged stays
// reserved. A replacement replica catches up from etcd alone.
#include <nlohmann/json.hpp>

#include "tests/ha/ha_test_base.h"
#include "tests/ha/review_load.h"

namespace migwarden::testing::ha {
namespace {

using nlohmann::json;

class HaReplicaKill : public HaTest {};

TEST_F(HaReplicaKill, TheOthersKeepServingAndTheKilledReplicasReservationsRemain) {
  constexpr int kGpus = 6;
  constexpr int kSlices = kGpus * kSlicesPerGpu;  // 42
  constexpr int kPods = 120;
  constexpr int kVictim = 2;
  report(a100NodeReport("gpu-a", kGpus, 1));
  validatePods(0, kPods);

  LoadOptions options;
  for (int i = 0; i < kPods; ++i) options.items.push_back(i);
  options.review = [](int i) { return bindingReview(podUid(i), podName(i), "gpu-a"); };
  options.threads = 6;
  options.failOver = true;  // the apiserver retries a webhook call that got no answer
  ReviewLoad load(*replicas_, options);
  // Mid-load, once the victim has acknowledged reservations of its own.
  ASSERT_TRUE(pollUntil([&] { return load.allowedBy(kVictim) >= 2; }, kConvergence, std::chrono::milliseconds(1)));
  replicas_->kill(kVictim);
  RecordProperty("bindings_answered_before_kill", load.done());
  load.join();

  std::set<std::string> allowed, ackedByVictim;
  for (const auto& [i, outcome] : load.outcomes()) {
    ASSERT_TRUE(outcome.verdict.answered) << "pod " << i << " got no answer from any replica: "
                                          << outcome.verdict.failure;
    if (!outcome.verdict.allowed) continue;
    allowed.insert(podUid(i));
    if (outcome.replica == kVictim) ackedByVictim.insert(podUid(i));
  }
  EXPECT_EQ(static_cast<int>(allowed.size()), kSlices);
  EXPECT_GE(ackedByVictim.size(), 2u);
  EXPECT_TRUE(probe_->reservationsConvergeTo(allowed)) << replicas_->outputs();
  EXPECT_TRUE(probe_->notOverAllocated("gpu-a", kSliceResource));

  ASSERT_TRUE(replicas_->start(kVictim)) << "a replacement replica must start";
  EXPECT_TRUE(probe_->reservationsConvergeTo(allowed)) << "the replacement did not catch up from etcd";
  validatePods(kPods, 1);
  Verdict late = replicas_->admit(kVictim, bindingReview(podUid(kPods), podName(kPods), "gpu-a"));
  ASSERT_TRUE(late.answered) << late.failure;
  EXPECT_FALSE(late.allowed) << "the node is full in the replacement's eyes too";
}

}  // namespace
}  // namespace migwarden::testing::ha
