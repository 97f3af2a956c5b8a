// The exclusivity guarantee across replicas: many schedulers' bindings for the same
// slices, spread over three replicas, reserve exactly the free slices and never more.
#include <nlohmann/json.hpp>

#include "tests/ha/ha_test_base.h"
#include "tests/ha/review_load.h"

namespace migwarden::testing::ha {
namespace {

using nlohmann::json;

class HaBindingRace : public HaTest {};

TEST_F(HaBindingRace, AThousandConcurrentBindingsOverThreeReplicasReserveExactlyTheFreeSlices) {
  constexpr int kPods = 1000;
  constexpr int kGpus = 4;
  constexpr int kSlices = kGpus * kSlicesPerGpu;  // 28: far fewer than pods
  report(a100NodeReport("gpu-race", kGpus, 1));
  validatePods(0, kPods);

  LoadOptions options;
  for (int i = 0; i < kPods; ++i) options.items.push_back(i);
  options.review = [](int i) { return bindingReview(podUid(i), podName(i), "gpu-race"); };
  options.threads = 12;
  ReviewLoad race(*replicas_, options);
  race.join();

  std::set<std::string> allowed;
  int unanswered = 0;
  std::map<int, int> allowedByReplica;
  for (const auto& [i, outcome] : race.outcomes()) {
    if (!outcome.verdict.answered) {
      ++unanswered;
      ADD_FAILURE() << "pod " << i << ": replica " << outcome.replica << " did not answer: " << outcome.verdict.failure;
      continue;
    }
    if (outcome.verdict.allowed) {
      allowed.insert(podUid(i));
      allowedByReplica[outcome.replica]++;
    } else {
      EXPECT_NE(outcome.verdict.message.find("gpu-race"), std::string::npos) << outcome.verdict.message;
    }
  }
  ASSERT_EQ(unanswered, 0);
  EXPECT_EQ(static_cast<int>(allowed.size()), kSlices) << "bindings allowed must equal the free slices";
  EXPECT_GE(allowedByReplica.size(), 2u) << "the race should be won on more than one replica";

  EXPECT_TRUE(probe_->reservationsConvergeTo(allowed)) << replicas_->outputs();
  EXPECT_TRUE(probe_->notOverAllocated("gpu-race", kSliceResource));
}

TEST_F(HaBindingRace, ARetriedBindingOnAnotherReplicaGetsTheSameReservation) {
  report(a100NodeReport("gpu-a", 1, 1));
  validatePods(1, 1);
  Verdict first = replicas_->admit(0, bindingReview(podUid(1), podName(1), "gpu-a"));
  ASSERT_TRUE(first.allowed) << first.message << first.failure;
  for (int replica : {1, 2}) {
    Verdict retry = replicas_->admit(replica, bindingReview(podUid(1), podName(1), "gpu-a"));
    EXPECT_TRUE(retry.allowed) << "replica " << replica << ": " << retry.message << retry.failure;
  }
  EXPECT_TRUE(probe_->reservationsConvergeTo({podUid(1)}));
  EXPECT_TRUE(probe_->notOverAllocated("gpu-a", kSliceResource));
}

// The scheduler may bind a pod on a replica whose watch has not yet delivered the
// pending record another replica wrote when it admitted the pod. The binding must still
// reserve (the replica catches its view up to etcd), never pass as "no GPU needs".
TEST_F(HaBindingRace, ABindingRightAfterAdmissionOnAnotherReplicaStillReserves) {
  constexpr int kPods = 12;
  report(a100NodeReport("gpu-lag", 2, 1));  // 14 slices: every pod fits
  std::set<std::string> bound;
  for (int i = 0; i < kPods; ++i) {
    Verdict admitted = replicas_->admit(i % 3, gpuPodReview(podUid(i), podName(i)));
    ASSERT_TRUE(admitted.allowed) << admitted.message << admitted.failure;
    Verdict binding = replicas_->admit((i + 1) % 3, bindingReview(podUid(i), podName(i), "gpu-lag"));
    ASSERT_TRUE(binding.allowed) << binding.message << binding.failure;
    bound.insert(podUid(i));
  }
  EXPECT_TRUE(probe_->reservationsConvergeTo(bound)) << "a binding passed without a reservation\n"
                                                     << replicas_->outputs();
  EXPECT_TRUE(probe_->notOverAllocated("gpu-lag", kSliceResource));
}

}  // namespace
}  // namespace migwarden::testing::ha
