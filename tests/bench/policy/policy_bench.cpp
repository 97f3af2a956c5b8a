// Request-time policy queries against the built-in table (ns/op). Run by hand:
//   build/bin/bench_policy
#include <benchmark/benchmark.h>

#include "webhook/policy/builtin.h"
#include "webhook/policy/require_cuda.h"

namespace {

using migwarden::policy::Policy;
using migwarden::policy::Version;

const Policy& policy() {
  static std::shared_ptr<const Policy> p = *migwarden::policy::loadBuiltinPolicy();
  return *p;
}

void BM_ProfilesForResource(benchmark::State& state) {
  const Policy& p = policy();
  for (auto _ : state) benchmark::DoNotOptimize(p.profilesForResource("nvidia.com/mig-1g.10gb"));
}
BENCHMARK(BM_ProfilesForResource);

void BM_ProfileOnGpu(benchmark::State& state) {
  const Policy& p = policy();
  const auto* gpu = p.gpuByPciDeviceId(0x233010DE);
  for (auto _ : state) benchmark::DoNotOptimize(p.profileForResource(*gpu, "nvidia.com/mig-3g.40gb"));
}
BENCHMARK(BM_ProfileOnGpu);

void BM_GpuByProductLabel(benchmark::State& state) {
  const Policy& p = policy();
  for (auto _ : state) benchmark::DoNotOptimize(p.gpuByName("NVIDIA-H100-80GB-HBM3"));
}
BENCHMARK(BM_GpuByProductLabel);

void BM_MinDriverFor(benchmark::State& state) {
  const Policy& p = policy();
  Version cuda = *Version::parse("12.4.1");
  for (auto _ : state) benchmark::DoNotOptimize(p.minDriverFor(cuda));
}
BENCHMARK(BM_MinDriverFor);

void BM_CheckCudaCompatible(benchmark::State& state) {
  const Policy& p = policy();
  migwarden::policy::CudaQuery q;
  q.cuda = *Version::parse("12.4");
  q.driver = *Version::parse("550.54.15");
  q.gpu = p.gpuById("H100-80GB");
  q.mig = true;
  for (auto _ : state) benchmark::DoNotOptimize(p.checkCuda(q));
}
BENCHMARK(BM_CheckCudaCompatible);

void BM_ParseVersion(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(Version::parse("550.54.15"));
}
BENCHMARK(BM_ParseVersion);

void BM_ParseRequireCuda(benchmark::State& state) {
  const char* expr = "cuda>=12.8 brand=tesla,driver>=470,driver<471 brand=tesla,driver>=535,driver<536 "
                     "brand=tesla,driver>=550,driver<551";
  for (auto _ : state) benchmark::DoNotOptimize(migwarden::policy::parseRequireExpression(expr));
}
BENCHMARK(BM_ParseRequireCuda);

void BM_ActionFor(benchmark::State& state) {
  const Policy& p = policy();
  migwarden::policy::Labels labels{{"kubernetes.io/metadata.name", "team-a"}};
  for (auto _ : state) benchmark::DoNotOptimize(p.actionFor("cuda-driver-compatible", "team-a", labels));
}
BENCHMARK(BM_ActionFor);

void BM_CudaFromImage(benchmark::State& state) {
  const Policy& p = policy();
  for (auto _ : state) benchmark::DoNotOptimize(p.cudaFromImage("nvidia/cuda:12.4.1-runtime-ubuntu22.04"));
}
BENCHMARK(BM_CudaFromImage);

void BM_LoadBuiltinArtifact(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(migwarden::policy::loadBuiltinPolicy());
}
BENCHMARK(BM_LoadBuiltinArtifact)->Unit(benchmark::kMicrosecond);

}  // namespace
