#include "webhook/server/connection_tracker.h"

#include <gtest/gtest.h>

namespace migwarden::server {
namespace {

class FakeSession : public Drainable {
 public:
  void drain() override { ++drained; }
  int drained = 0;
};

TEST(ConnectionTracker, RefusesSlotsBeyondTheLimitAndFreesThemOnRelease) {
  Gauge active;
  ConnectionTracker tracker(2, &active);
  auto a = tracker.tryAcquire();
  auto b = tracker.tryAcquire();
  ASSERT_TRUE(a && b);
  EXPECT_FALSE(tracker.tryAcquire().has_value());
  EXPECT_EQ(active.value(), 2);
  a.reset();
  EXPECT_EQ(tracker.active(), 1u);
  EXPECT_EQ(active.value(), 1);
  EXPECT_TRUE(tracker.tryAcquire().has_value());
}

TEST(ConnectionTracker, DrainAllReachesAttachedSessionsAndReportsWhenEmpty) {
  ConnectionTracker tracker(10, nullptr);
  auto session = std::make_shared<FakeSession>();
  auto slot = tracker.tryAcquire();
  ASSERT_TRUE(slot);
  slot->attach(session);
  bool empty = false;
  tracker.drainAll([&] { empty = true; });
  EXPECT_EQ(session->drained, 1);
  EXPECT_FALSE(empty);
  slot.reset();
  EXPECT_TRUE(empty);
}

TEST(ConnectionTracker, DrainAllWithNoConnectionsReportsEmptyImmediately) {
  ConnectionTracker tracker(10, nullptr);
  bool empty = false;
  tracker.drainAll([&] { empty = true; });
  EXPECT_TRUE(empty);
}

}  // namespace
}  // namespace migwarden::server
