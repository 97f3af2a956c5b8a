// Test helpers for the ledger suites: node report builders, a store fixture on a real
// temp directory, and FaultEnv, an Env that fails appends or fsyncs on demand.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"
#include "webhook/common/clock.h"
#include "webhook/common/env.h"
#include "webhook/common/metrics.h"
#include "webhook/ledger/local_store.h"
#include "webhook/ledger/node_report.h"

namespace migwarden::ledger::testutil {

inline constexpr const char* kMig1g = "nvidia.com/mig-1g.5gb";
inline constexpr const char* kMig3g = "nvidia.com/mig-3g.20gb";

// An A100-40GB node: `gpus` GPUs, each split into `slicesPerGpu` 1g.5gb devices
// (uuids "MIG-<node>-<g>-<i>", placement start i size 1), all healthy.
NodeReport a100Node(const std::string& node, int gpus = 1, int slicesPerGpu = 7, int64_t sequence = 1,
                    const std::string& bootId = "boot-1");
std::string migUuid(const std::string& node, int gpu, int slice);
std::string gpuUuid(const std::string& node, int gpu);

// Adds an allocation entry to the report.
void allocate(NodeReport& report, const std::string& podUid, const std::string& pod, const std::string& resource,
              std::vector<std::string> deviceIds, const std::string& container = "main",
              const std::string& ns = "default");

// prefix + n (also sidesteps a GCC 12 -Wrestrict false positive on "lit" + to_string()).
std::string numbered(std::string prefix, long n);

ReserveRequest reserveRequest(const std::string& podUid, const std::string& node, int64_t count,
                              const std::string& resource = kMig1g);

// Fails writes on demand. Thread-safe flags; applies to every file it opened.
class FaultEnv final : public EnvWrapper {
 public:
  FaultEnv() : EnvWrapper(base_) {}
  std::atomic<bool> failSync{false};
  std::atomic<bool> failAppend{false};   // write error, nothing written
  std::atomic<bool> diskFull{false};     // ENOSPC-style error, nothing written
  std::atomic<long> shortWrite{-1};      // >= 0: write only this many bytes, then fail
  std::atomic<int> syncs{0};

  Result<std::unique_ptr<WritableFile>> newAppendableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> newWritableFile(const std::string& path) override;

 private:
  Result<std::unique_ptr<WritableFile>> wrap(Result<std::unique_ptr<WritableFile>> file);
  PosixEnv base_;
};

// A LocalStore in a fresh temp dir with a FakeClock, reopenable.
class StoreFixture {
 public:
  explicit StoreFixture(uint64_t snapshotEvery = 0);
  LocalStore& store() { return *store_; }
  FakeClock& clock() { return clock_; }
  FaultEnv& env() { return env_; }
  MetricsRegistry& metrics() { return *metrics_; }
  const std::string& dir() const { return dir_.path(); }
  std::string logPath() const { return dir_.file(LocalStore::kLogName); }
  // Closes and opens the store again on the same directory.
  Status reopen(bool repair = false);
  void close() { store_.reset(); }

 private:
  testing::TempDir dir_;
  FakeClock clock_;
  FaultEnv env_;
  std::unique_ptr<MetricsRegistry> metrics_;
  uint64_t snapshotEvery_;
  std::unique_ptr<LocalStore> store_;
};

}  // namespace migwarden::ledger::testutil
