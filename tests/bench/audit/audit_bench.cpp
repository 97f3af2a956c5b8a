// What an audit record costs: the caller's share (serialization + enqueue) and the writer
// thread's share (chaining with SHA-256 or HMAC). Run by hand: bin/bench_audit.
#include <benchmark/benchmark.h>
#include <spdlog/spdlog.h>

#include <cstdlib>
#include <string>

#include "webhook/audit/audit_log.h"
#include "webhook/audit/chain.h"
#include "webhook/audit/record_codec.h"

namespace migwarden::audit {
namespace {

AuditRecord typicalRecord() {
  AuditRecord r;
  r.time = std::chrono::system_clock::now();
  r.requestUid = "5f0c1c1e-8f3a-4c1e-9a51-0d1b2c3d4e5f";
  r.user = "system:serviceaccount:ml:trainer";
  r.groups = {"system:serviceaccounts", "system:serviceaccounts:ml", "system:authenticated"};
  r.operation = "CREATE";
  r.resource = "pods";
  r.namespace_ = "ml";
  r.name = "train-7";
  r.podUid = "9b2e7c64-1f0e-4d8a-b7a5-3c2d1e0f9a8b";
  r.decision = Decision::kDenied;
  r.rules = {{"hardening.visible-devices", "deny"}};
  r.message = "spec.containers[0].env[2]: NVIDIA_VISIBLE_DEVICES may not be set by users";
  r.migResources = {{"nvidia.com/mig-1g.5gb", 1}};
  r.policyDigest = "sha256:4be1c0de";
  r.latencyMicros = 212;
  return r;
}

void BM_EncodeRecordBody(benchmark::State& state) {
  const AuditRecord r = typicalRecord();
  for (auto _ : state) benchmark::DoNotOptimize(encodeRecordBody(r));
}
BENCHMARK(BM_EncodeRecordBody);

void BM_ChainLine(benchmark::State& state) {
  const ChainHasher hasher(state.range(0) ? std::string(48, 'k') : std::string());
  const std::string body = encodeRecordBody(typicalRecord());
  std::string prev(kGenesisHash);
  uint64_t seq = 0;
  for (auto _ : state) benchmark::DoNotOptimize(chainLine(hasher, ++seq, prev, body, &prev));
  state.SetLabel(state.range(0) ? "HMAC-SHA256" : "SHA-256");
}
BENCHMARK(BM_ChainLine)->Arg(0)->Arg(1);

// append() as a request thread sees it, into a real file on $TMPDIR (fdatasync per batch).
void BM_Append(benchmark::State& state) {
  spdlog::set_level(spdlog::level::warn);  // "chain resumed" once per benchmark run
  PosixEnv env;
  SystemClock clock;
  MetricsRegistry metrics;
  AuditLogOptions options;
  const char* tmp = std::getenv("TMPDIR");
  options.path = std::string(tmp ? tmp : "/tmp") + "/migwarden-bench-audit/audit.log";
  options.maxFileBytes = 64ull << 20;
  options.keepRotated = 1;
  options.queueCapacity = 1 << 20;
  auto log = AuditLog::open(options, env, clock, metrics);
  if (!log.ok()) {
    state.SkipWithError(log.status().toString().c_str());
    return;
  }
  const AuditRecord r = typicalRecord();
  for (auto _ : state) benchmark::DoNotOptimize((*log)->append(r));
  (*log)->flush();
  state.counters["failures"] = static_cast<double>(metrics.counter("migwarden_audit_failures_total", "").value());
}
BENCHMARK(BM_Append);

}  // namespace
}  // namespace migwarden::audit
