// Spec: a GPU pod's life through the full default rule set (mutation, validation,
// binding): validate CREATE records it pending, the binding reserves, DELETE releases.
#include <gtest/gtest.h>

#include "tests/rules/rules_test_util.h"
#include "webhook/rules/default_rules.h"

namespace migwarden::rules {
namespace {

using admission::Endpoint;
using namespace testutil;

TEST(ValidateLifecycle, PendingAtCreateReservedAtBindingReleasedAtDelete) {
  RulesHarness h;
  h.seed(a100Report("gpu-a", 1, "1g.10gb", 4));
  json pod = fixtureGpuPod();

  Outcome created = h.run(Endpoint::kValidate, podReview(pod), makeDefaultRules);
  ASSERT_TRUE(created.allowed) << created.message;
  ASSERT_TRUE(h.store().pendingOf(kPodUid).has_value());

  Outcome bound = h.run(Endpoint::kValidate, bindingReview("train-x7k2p", kPodUid, "gpu-a"), makeDefaultRules);
  ASSERT_TRUE(bound.allowed) << bound.message;
  EXPECT_EQ(h.store().freeSlices("gpu-a", kMig1g10), 3);

  Outcome deleted = h.run(Endpoint::kValidate, podReview(pod, "DELETE"), makeDefaultRules);
  EXPECT_TRUE(deleted.allowed) << deleted.message;
  EXPECT_FALSE(h.store().reservationOf(kPodUid).has_value());
  EXPECT_EQ(h.store().freeSlices("gpu-a", kMig1g10), 4);
}

}  // namespace
}  // namespace migwarden::rules
