#include "tests/ha/ha_test_base.h"

#include "tests/ha/review_load.h"

namespace migwarden::testing::ha {

void HaTest::validatePods(int first, int count, int threads) {
  LoadOptions options;
  for (int i = first; i < first + count; ++i) options.items.push_back(i);
  options.review = [](int i) { return gpuPodReview(podUid(i), podName(i)); };
  options.threads = threads;
  ReviewLoad load(*replicas_, options);
  load.join();
  std::set<std::string> uids;
  for (const auto& [i, outcome] : load.outcomes()) {
    ASSERT_TRUE(outcome.verdict.allowed) << "pod " << i << " was not admitted by replica " << outcome.replica << ": "
                                         << outcome.verdict.failure << outcome.verdict.message;
    uids.insert(podUid(i));
  }
  ASSERT_EQ(static_cast<int>(uids.size()), count);
  ASSERT_TRUE(probe_->waitForPods(uids)) << "pending pods did not reach every replica\n" << replicas_->outputs();
}

}  // namespace migwarden::testing::ha
