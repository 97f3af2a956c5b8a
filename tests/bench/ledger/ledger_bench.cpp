// Ledger benchmarks: durable reserve+release throughput (real fsync in $TMPDIR, one
// thread vs several sharing fsyncs through group commit), query cost, and recovery.
// Run by hand: build/bin/bench_ledger (see docs/ledger.md for recorded numbers).
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>

#include "webhook/common/clock.h"
#include "webhook/common/env.h"
#include "webhook/ledger/ledger_state.h"
#include "webhook/ledger/local_store.h"

namespace migwarden::ledger {
namespace {

constexpr const char* kMig1g = "nvidia.com/mig-1g.5gb";

// prefix + n, written so GCC 12 does not raise a false -Wrestrict on "lit" + to_string().
std::string numbered(std::string prefix, uint64_t n) {
  prefix += std::to_string(n);
  return prefix;
}

NodeReport node(const std::string& name, int gpus, int slices) {
  NodeReport r;
  r.node = name;
  r.sequence = 1;
  r.bootId = "b";
  r.migConfigState = "success";
  for (int g = 0; g < gpus; ++g) {
    Gpu gpu;
    gpu.uuid = "GPU-" + name + "-" + std::to_string(g);
    gpu.migMode = "enabled";
    for (int i = 0; i < slices; ++i) {
      gpu.migDevices.push_back(
          MigDevice{"MIG-" + name + "-" + std::to_string(g) + "-" + std::to_string(i), "1g.5gb", i, 0, {i, 1}, true});
    }
    r.gpus.push_back(std::move(gpu));
  }
  return r;
}

std::string freshDir(const std::string& tag) {
  const char* base = std::getenv("TMPDIR");
  std::string dir = std::string(base && *base ? base : "/tmp") + "/migwarden-bench-" + tag + "-" +
                    std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  return dir;
}

struct Shared {
  PosixEnv env;
  SystemClock clock;
  std::string dir;
  std::unique_ptr<LocalStore> store;
  std::atomic<uint64_t> next{0};
};
Shared* g_shared = nullptr;

// Each iteration: one durable reservation and one durable release (2 log records).
void BM_ReserveReleaseDurable(benchmark::State& state) {
  if (state.thread_index() == 0) {
    spdlog::set_level(spdlog::level::warn);
    g_shared = new Shared;
    g_shared->dir = freshDir("rr");
    LocalStoreOptions o;
    o.dir = g_shared->dir;
    o.env = &g_shared->env;
    o.clock = &g_shared->clock;
    o.snapshotEveryRecords = 0;
    g_shared->store = std::move(LocalStore::open(o)).value();
    (void)g_shared->store->applyNodeReport(node("gpu-a", 8, 7));
  }
  // (Google Benchmark synchronises threads after setup and before the timed loop.)
  for (auto _ : state) {
    const std::string uid = numbered("p", g_shared->next.fetch_add(1));
    ReserveRequest r;
    r.podUid = uid;
    r.node = "gpu-a";
    r.needs = {{kMig1g, 1}};
    auto res = g_shared->store->reserve(r);
    if (!res.ok()) state.SkipWithError(res.status().toString().c_str());
    (void)g_shared->store->release(uid);
  }
  state.SetItemsProcessed(state.iterations());
}

void teardownShared(const benchmark::State&) {
  if (g_shared == nullptr) return;
  g_shared->store.reset();
  std::filesystem::remove_all(g_shared->dir);
  delete g_shared;
  g_shared = nullptr;
}

BENCHMARK(BM_ReserveReleaseDurable)->Threads(1)->UseRealTime()->Teardown(teardownShared);
BENCHMARK(BM_ReserveReleaseDurable)->Threads(8)->UseRealTime()->Teardown(teardownShared);

LedgerState bigState(int nodes) {
  LedgerState s;
  for (int n = 0; n < nodes; ++n) s.applyReport(node(numbered("node-", static_cast<uint64_t>(n)), 8, 7));
  return s;
}

void BM_FreeSlices(benchmark::State& state) {
  LedgerState s = bigState(static_cast<int>(state.range(0)));
  uint64_t i = 0;
  const auto n = static_cast<uint64_t>(state.range(0));
  std::vector<std::string> names;
  for (uint64_t k = 0; k < n; ++k) names.push_back(numbered("node-", k));
  for (auto _ : state) {
    benchmark::DoNotOptimize(s.freeSlices(names[i++ % n], kMig1g));
  }
}
BENCHMARK(BM_FreeSlices)->Arg(100)->Arg(10000);

void BM_ReserveDecision(benchmark::State& state) {
  LedgerState s = bigState(1000);
  ReserveRequest r;
  r.podUid = "p";
  r.node = "node-500";
  r.needs = {{kMig1g, 2}};
  const TimePoint now = std::chrono::system_clock::now();
  for (auto _ : state) benchmark::DoNotOptimize(s.decideReserve(r, now));
}
BENCHMARK(BM_ReserveDecision);

// Recovery from a snapshot of `nodes` nodes x 8 GPUs x 7 slices.
void BM_RecoverFromSnapshot(benchmark::State& state) {
  spdlog::set_level(spdlog::level::warn);
  PosixEnv env;
  SystemClock clock;
  LocalStoreOptions o;
  o.dir = freshDir("recover");
  o.env = &env;
  o.clock = &clock;
  o.snapshotEveryRecords = 0;
  {
    auto store = std::move(LocalStore::open(o)).value();
    for (int n = 0; n < state.range(0); ++n) (void)store->applyNodeReport(node(numbered("node-", static_cast<uint64_t>(n)), 8, 7));
    (void)store->compact();
  }
  for (auto _ : state) {
    auto store = LocalStore::open(o);
    if (!store.ok()) state.SkipWithError(store.status().toString().c_str());
  }
  state.counters["slices"] = static_cast<double>(state.range(0) * 56);
  state.counters["snapshot_MB"] =
      static_cast<double>(*env.fileSize(o.dir + "/" + LocalStore::kSnapshotName)) / 1e6;
  std::filesystem::remove_all(o.dir);
}
BENCHMARK(BM_RecoverFromSnapshot)->Arg(1000)->Unit(benchmark::kMillisecond)->Iterations(3);

}  // namespace
}  // namespace migwarden::ledger
