// Reservation latency on a real etcd, for docs/ledger-etcd.md. Disabled by default (it
// measures, it does not check): run with --gtest_also_run_disabled_tests
// --gtest_filter='*Latency*'. The HA benchmark (tests/bench) is the load test.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <thread>

#include "tests/ledger_etcd/etcd_test_util.h"

namespace migwarden::ledger::etcd {
namespace {

using testutil::EtcdStoreTest;
using testutil::a100Node;
using testutil::numbered;
using testutil::reserveRequest;

void print(const char* what, std::vector<double> micros) {
  std::sort(micros.begin(), micros.end());
  auto at = [&](double q) { return micros[static_cast<size_t>(q * static_cast<double>(micros.size() - 1))]; };
  std::printf("%-44s n=%zu p50=%.0fus p90=%.0fus p99=%.0fus max=%.0fus\n", what, micros.size(), at(0.5), at(0.9),
              at(0.99), micros.back());
}

TEST_F(EtcdStoreTest, DISABLED_ReportsReserveLatency) {
  auto a = open();
  auto b = open();
  const int nodes = 50;
  for (int n = 0; n < nodes; ++n) ASSERT_TRUE(a->applyNodeReport(a100Node(numbered("n", n), 8, 7)).ok());
  catchUp(*b, *a);
  std::vector<double> one;
  for (int i = 0; i < 500; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(a->reserve(reserveRequest(numbered("s", i), numbered("n", i % nodes), 1)).ok());
    one.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  print("reserve, 1 replica, sequential", one);

  // Two replicas, 4 threads each, spread over the 50 nodes (a scheduler binding pods).
  std::vector<double> spread;
  {
    std::mutex mu;
    std::vector<std::thread> threads;
    for (int t = 0; t < 8; ++t) {
      threads.emplace_back([&, t] {
        EtcdStore& s = t % 2 == 0 ? *a : *b;
        for (int i = 0; i < 60; ++i) {
          const auto t0 = std::chrono::steady_clock::now();
          auto r = s.reserve(reserveRequest(numbered("x", t * 1000 + i), numbered("n", (t * 7 + i * 13) % nodes), 1));
          const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
          std::lock_guard lock(mu);
          if (r.ok()) spread.push_back(us);
        }
      });
    }
    for (auto& th : threads) th.join();
  }
  print("reserve, 2 replicas x 4 threads, 50 nodes", spread);

  // Worst case: the same 8 writers in lockstep on the same 5 nodes.
  std::vector<double> contended;
  std::mutex mu;
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      EtcdStore& s = t % 2 == 0 ? *a : *b;
      for (int i = 0; i < 60; ++i) {
        const auto t0 = std::chrono::steady_clock::now();
        auto r = s.reserve(reserveRequest(numbered("c", t * 1000 + i), numbered("n", i % 5), 1));
        const double us = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count();
        std::lock_guard lock(mu);
        if (r.ok()) contended.push_back(us);
      }
    });
  }
  for (auto& th : threads) th.join();
  print("reserve, 2 replicas x 4 threads, 5 hot nodes", contended);
  std::printf("txn conflicts: %llu of %llu transactions\n",
              static_cast<unsigned long long>(
                  metrics_.counter("migwarden_ledger_etcd_txn_total", "", {{"outcome", "conflict"}}).value()),
              static_cast<unsigned long long>(
                  metrics_.counter("migwarden_ledger_etcd_txn_total", "", {{"outcome", "committed"}}).value() +
                  metrics_.counter("migwarden_ledger_etcd_txn_total", "", {{"outcome", "conflict"}}).value()));

  std::vector<double> ranges;  // an etcd read through the gateway: HTTP + JSON + etcd, no fsync
  for (int i = 0; i < 500; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    ASSERT_TRUE(a->currentRevision().ok());
    ranges.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  print("range (count_only) through the JSON gateway", ranges);

  std::vector<double> reads;
  for (int i = 0; i < 2000; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    (void)b->nodesThatCouldTake({{testutil::kMig1g, 3}});
    reads.push_back(std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - t0).count());
  }
  print("nodesThatCouldTake (from the view)", reads);
}

}  // namespace
}  // namespace migwarden::ledger::etcd
