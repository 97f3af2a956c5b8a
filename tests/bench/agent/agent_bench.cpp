// The agent's per-poll work on a full node: 8 A100 GPUs x 7 MIG devices, one pod per
// device. Run: build/bin/bench_agent (numbers in docs/performance.md).
#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

#include "tests/agent/support/fake_checkpoint.h"
#include "tests/agent/support/fake_kubelet.h"
#include "tests/support/temp_dir.h"
#include "webhook/agent/podresources/kubelet_allocation_source.h"
#include "webhook/agent/report/report_builder.h"

namespace migwarden::agent {
namespace {

constexpr int kGpus = 8;
constexpr int kSlices = 7;

std::string migUuid(int g, int s) { return "MIG-" + std::to_string(g) + "-" + std::to_string(s); }

GpuInventory fullNode() {
  GpuInventory inv{"550.54.15", "12.4", {}};
  for (int g = 0; g < kGpus; ++g) {
    ledger::Gpu gpu;
    gpu.uuid = "GPU-" + std::to_string(g);
    gpu.product = "NVIDIA A100-SXM4-40GB";
    gpu.pciDeviceId = "0x20B010DE";
    gpu.computeCapability = "8.0";
    gpu.memoryMiB = 40960;
    gpu.migMode = "enabled";
    for (int s = 0; s < kSlices; ++s)
      gpu.migDevices.push_back({migUuid(g, s), "1g.5gb", 7 + s, 0, {s, 1}, true});
    inv.gpus.push_back(std::move(gpu));
  }
  return inv;
}

std::vector<ledger::Allocation> onePodPerSlice() {
  std::vector<ledger::Allocation> out;
  for (int g = 0; g < kGpus; ++g)
    for (int s = 0; s < kSlices; ++s) {
      const std::string n = std::to_string(g * kSlices + s);
      out.push_back({"uid-" + n, "ml", "train-" + n, "main", "nvidia.com/mig-1g.5gb", {migUuid(g, s)}});
    }
  return out;
}

void BM_BuildAndEncodeReport(benchmark::State& state) {
  const GpuInventory inventory = fullNode();
  const std::vector<ledger::Allocation> allocations = onePodPerSlice();
  const std::map<std::string, HealthEvent> unhealthy{{migUuid(3, 2), {migUuid(3, 2), 79, "XID 79"}}};
  int64_t sequence = 1;
  for (auto _ : state) {
    ledger::NodeReport report =
        buildNodeReport({"gpu-a", "boot"}, sequence++, {inventory, allocations, unhealthy, "success", false});
    std::string body = ledger::encodeNodeReport(report);
    benchmark::DoNotOptimize(body);
  }
}
BENCHMARK(BM_BuildAndEncodeReport);

void BM_EncodeReportOnly(benchmark::State& state) {
  const GpuInventory inventory = fullNode();
  const std::vector<ledger::Allocation> allocations = onePodPerSlice();
  const std::map<std::string, HealthEvent> none;
  const ledger::NodeReport report = buildNodeReport({"gpu-a", "boot"}, 1, {inventory, allocations, none, "success", false});
  for (auto _ : state) {
    std::string body = ledger::encodeNodeReport(report);
    benchmark::DoNotOptimize(body);
  }
}
BENCHMARK(BM_EncodeReportOnly);

// One List round trip to a kubelet on a unix socket, filtered to nvidia.com/*, merged,
// sorted, with pod uids from a checkpoint of the same 56 devices.
void BM_PodResourcesListWithCheckpoint(benchmark::State& state) {
  testing::TempDir dir;
  testing::FakeKubelet kubelet(dir.file("kubelet.sock"));
  const std::vector<ledger::Allocation> allocations = onePodPerSlice();
  kubelet.setAllocations(allocations);
  if (!kubelet.start().ok()) return state.SkipWithError("fake kubelet did not start");
  std::vector<testing::FakeCheckpointEntry> entries;
  for (const auto& a : allocations) entries.push_back({a.podUid, a.container, a.resource, a.deviceIds, 0});
  testing::writeKubeletCheckpoint(dir.file("kubelet_internal_checkpoint"), entries);
  KubeletAllocationSourceOptions options;
  options.client.socketPath = dir.file("kubelet.sock");
  options.checkpointPath = dir.file("kubelet_internal_checkpoint");
  KubeletAllocationSource source(options);
  for (auto _ : state) {
    auto listed = source.list();
    if (!listed.ok() || listed->size() != allocations.size()) return state.SkipWithError("List failed");
    benchmark::DoNotOptimize(listed);
  }
}
BENCHMARK(BM_PodResourcesListWithCheckpoint)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace migwarden::agent
