// Many threads racing for the same slices: never a double allocation.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tests/ledger/ledger_test_util.h"

namespace migwarden::ledger {
namespace {

using namespace testutil;

TEST(LedgerConcurrency, ThreadsRacingForTheLastSliceExactlyOneWins) {
  for (int round = 0; round < 5; ++round) {
    StoreFixture f;
    NodeReport r = a100Node("gpu-a");
    for (int i = 0; i < 6; ++i) allocate(r, numbered("b", i), "b", kMig1g, {migUuid("gpu-a", 0, i)});
    ASSERT_TRUE(f.store().applyNodeReport(r).ok());
    ASSERT_EQ(f.store().freeSlices("gpu-a", kMig1g), 1);

    constexpr int kThreads = 16;
    std::atomic<int> wins{0}, exhausted{0}, other{0};
    std::atomic<bool> go{false};
    std::vector<std::thread> threads;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        while (!go.load()) std::this_thread::yield();
        auto res = f.store().reserve(reserveRequest(numbered("racer-", t), "gpu-a", 1));
        if (res.ok()) {
          ++wins;
        } else if (res.status().code() == StatusCode::kResourceExhausted) {
          ++exhausted;
        } else {
          ++other;
        }
      });
    }
    go = true;
    for (auto& t : threads) t.join();
    EXPECT_EQ(wins.load(), 1);
    EXPECT_EQ(exhausted.load(), kThreads - 1);
    EXPECT_EQ(other.load(), 0);
    EXPECT_EQ(f.store().freeSlices("gpu-a", kMig1g), 0);
    ASSERT_TRUE(f.reopen().ok());
    EXPECT_EQ(f.store().view().reservations.size(), 1u);  // and exactly one survives recovery
  }
}

TEST(LedgerConcurrency, ManyPodsRacingForManySlicesNeverOverbookAndShareFsyncs) {
  StoreFixture f;
  ASSERT_TRUE(f.store().applyNodeReport(a100Node("gpu-a", 8)).ok());  // 56 slices
  constexpr int kThreads = 8, kPerThread = 20;
  std::atomic<int> wins{0};
  std::atomic<int> slices{0};
  std::vector<std::thread> threads;
  const int syncsBefore = f.env().syncs.load();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        const int want = 1 + (i % 3);
        auto res = f.store().reserve(reserveRequest(numbered(numbered("p", t) + "-", i), "gpu-a", want));
        if (res.ok()) {
          ++wins;
          slices += want;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_LE(slices.load(), 56);
  EXPECT_EQ(f.store().freeSlices("gpu-a", kMig1g), 56 - slices.load());
  EXPECT_LE(f.env().syncs.load() - syncsBefore, wins.load());  // never more fsyncs than grants
  ASSERT_TRUE(f.reopen().ok());
  EXPECT_EQ(f.store().freeSlices("gpu-a", kMig1g), 56 - slices.load());
}

}  // namespace
}  // namespace migwarden::ledger
