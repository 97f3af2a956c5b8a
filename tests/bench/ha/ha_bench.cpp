// HA benchmark: reservations per second and client-side latency of pods/binding
// admission through the real migwarden-webhook binaries, for three set-ups measured in
// one run on the same machine and disk:
//   local    1 replica, --ledger-backend local (fsynced write-ahead log)
//   etcd-1   1 replica, --ledger-backend etcd (one etcd member)
//   etcd-3   3 replicas on the same etcd, requests spread over them
// For each: agents report `nodes` nodes of 8 A100-40GB GPUs (7 slices each), `pods` GPU
// pods are validated (their pending records written), then `threads` closed-loop
// clients bind them, pod i to node i % nodes, every binding a real reservation.
//
// Usage: bench_ha [--pods N] [--threads N] [--nodes N] [--replica-threads N]
// Timings are not assertions (docs/performance.md records them with their conditions).
#include <nlohmann/json.hpp>

#include <cstdio>
#include <cstdlib>
#include <set>
#include <string>
#include <vector>

#include "tests/ha/ha_reviews.h"
#include "tests/ha/ledger_probe.h"
#include "tests/ha/replica_set.h"
#include "tests/ha/review_load.h"
#include "tests/support/etcd/etcd_process.h"
#include "tests/support/temp_dir.h"

namespace {

using namespace migwarden::testing;
using namespace migwarden::testing::ha;

struct BenchOptions {
  int pods = 2000;
  int threads = 16;
  int nodes = 50;
  int replicaThreads = 2;
};

struct Phase {
  double perSecond = 0;
  int64_t p50 = 0, p99 = 0;  // microseconds
  int ok = 0, total = 0;
};

// Counters from etcd's own /metrics (client port), to explain the etcd rows: how many
// Raft proposals and WAL fsyncs a reservation costs, and what one fsync takes here.
struct EtcdCounters {
  double proposals = 0, fsyncs = 0, fsyncSeconds = 0;
  double conflicts = 0;  // transactions the replicas lost to a race and retried
};

struct Row {
  std::string name;
  Phase validate, bind;
  bool hasEtcd = false;
  EtcdCounters bindEtcd;  // deltas over the binding phase
};

double metricValue(const std::string& text, const std::string& name) {
  size_t at = 0;
  while ((at = text.find(name + " ", at)) != std::string::npos) {
    if (at == 0 || text[at - 1] == '\n') return std::atof(text.c_str() + at + name.size() + 1);
    at += name.size();
  }
  return 0;
}

EtcdCounters readEtcdCounters(int etcdPort) {
  EtcdCounters c;
  if (etcdPort == 0) return c;
  auto client = HttpClient::connectPlain(etcdPort);
  auto reply = client ? client->request("GET", "/metrics") : std::nullopt;
  if (!reply || reply->status != 200) return c;
  c.proposals = metricValue(reply->body, "etcd_server_proposals_committed_total");
  c.fsyncs = metricValue(reply->body, "etcd_disk_wal_fsync_duration_seconds_count");
  c.fsyncSeconds = metricValue(reply->body, "etcd_disk_wal_fsync_duration_seconds_sum");
  return c;
}

// Adds the replicas' own count of lost transaction races to `c`.
void addReplicaConflicts(ReplicaSet& replicas, EtcdCounters& c) {
  for (int i = 0; i < replicas.size(); ++i) {
    auto client = HttpClient::connectPlain(replicas.process(i).healthPort());
    auto reply = client ? client->request("GET", "/metrics") : std::nullopt;
    if (reply && reply->status == 200)
      c.conflicts += metricValue(reply->body, "migwarden_ledger_etcd_txn_total{outcome=\"conflict\"}");
  }
}

std::string nodeName(int n) { return "gpu-" + std::to_string(n); }
std::string uid(int i) { return "bench-pod-" + std::to_string(i); }
std::string name(int i) { return "bench-" + std::to_string(i); }

Phase measure(const ReplicaSet& replicas, const BenchOptions& o, std::function<nlohmann::json(int)> review) {
  LoadOptions load;
  for (int i = 0; i < o.pods; ++i) load.items.push_back(i);
  load.review = std::move(review);
  load.threads = o.threads;
  ReviewLoad run(replicas, load);
  run.join();
  Phase p;
  p.total = o.pods;
  p.ok = run.allowed();
  std::vector<int64_t> latencies = run.latenciesMicros();
  p.p50 = percentile(latencies, 50);
  p.p99 = percentile(latencies, 99);
  double seconds = std::chrono::duration<double>(run.elapsed()).count();
  p.perSecond = seconds > 0 ? p.ok / seconds : 0;
  for (const auto& [i, outcome] : run.outcomes()) {
    if (!outcome.verdict.allowed) {
      std::fprintf(stderr, "  first refusal: item %d on replica %d: %s%s\n", i, outcome.replica,
                   outcome.verdict.failure.c_str(), outcome.verdict.message.c_str());
      break;
    }
  }
  return p;
}

bool runConfig(Row& row, const std::string& root, int replicaCount, std::vector<std::string> backend,
               int etcdPort, const BenchOptions& o) {
  ReplicaSetOptions options;
  options.rootDir = root;
  options.replicas = replicaCount;
  options.backendFlags = std::move(backend);
  options.extraFlags = {"--threads", std::to_string(o.replicaThreads)};
  ReplicaSet replicas(options);
  replicas.startAll();
  for (int i = 0; i < replicaCount; ++i)
    if (!replicas.running(i)) return false;
  for (int n = 0; n < o.nodes; ++n) {
    int status = replicas.putNodeReport(n % replicaCount, a100NodeReport(nodeName(n), 8, 1));
    if (status != 200) {
      std::fprintf(stderr, "%s: node report answered %d\n", row.name.c_str(), status);
      return false;
    }
  }
  LedgerProbe probe(replicas);
  if (!probe.waitForNode(nodeName(o.nodes - 1), 1)) return false;

  row.validate = measure(replicas, o, [](int i) { return gpuPodReview(uid(i), name(i)); });
  std::set<std::string> uids;
  for (int i = 0; i < o.pods; ++i) uids.insert(uid(i));
  if (!probe.waitForPods(uids, std::chrono::seconds(60))) {
    std::fprintf(stderr, "%s: pending records did not reach every replica\n", row.name.c_str());
    return false;
  }
  const int nodes = o.nodes;
  EtcdCounters before = readEtcdCounters(etcdPort);
  addReplicaConflicts(replicas, before);
  row.bind = measure(replicas, o, [nodes](int i) { return bindingReview(uid(i), name(i), nodeName(i % nodes)); });
  EtcdCounters after = readEtcdCounters(etcdPort);
  addReplicaConflicts(replicas, after);
  row.hasEtcd = etcdPort != 0;
  row.bindEtcd = {after.proposals - before.proposals, after.fsyncs - before.fsyncs,
                  after.fsyncSeconds - before.fsyncSeconds, after.conflicts - before.conflicts};
  return true;
}

int intFlag(int argc, char** argv, int& i) {
  if (i + 1 >= argc) {
    std::fprintf(stderr, "%s: missing value\n", argv[i]);
    std::exit(2);
  }
  int v = std::atoi(argv[++i]);
  if (v <= 0) {
    std::fprintf(stderr, "%s: must be a positive number, got \"%s\"\n", argv[i - 1], argv[i]);
    std::exit(2);
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  BenchOptions o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--pods") o.pods = intFlag(argc, argv, i);
    else if (a == "--threads") o.threads = intFlag(argc, argv, i);
    else if (a == "--nodes") o.nodes = intFlag(argc, argv, i);
    else if (a == "--replica-threads") o.replicaThreads = intFlag(argc, argv, i);
    else {
      std::fprintf(stderr, "usage: bench_ha [--pods N] [--threads N] [--nodes N] [--replica-threads N]\n");
      return 2;
    }
  }
  if (o.pods > o.nodes * 8 * kSlicesPerGpu) {
    std::fprintf(stderr, "--pods must fit in the slices of --nodes (8 GPUs x 7 slices per node)\n");
    return 2;
  }
  if (EtcdProcess::findBinary().empty()) {
    std::fprintf(stderr, "etcd is not installed (Debian: etcd-server); the HA benchmark needs it\n");
    return 1;
  }
  TempDir dir;
  EtcdProcess etcd;
  if (!etcd.running()) {
    std::fprintf(stderr, "etcd did not start:\n%s\n", etcd.output().c_str());
    return 1;
  }
  auto etcdFlags = [&](const std::string& prefix) {
    return std::vector<std::string>{"--ledger-backend", "etcd", "--etcd-endpoints", etcd.endpoint(), "--etcd-prefix",
                                    prefix};
  };
  std::vector<Row> rows(3);
  rows[0].name = "local, 1 replica";
  rows[1].name = "etcd, 1 replica";
  rows[2].name = "etcd, 3 replicas";
  bool ok = runConfig(rows[0], dir.file("local"), 1, {}, 0, o) &&
            runConfig(rows[1], dir.file("etcd1"), 1, etcdFlags("/bench-1/"), etcd.clientPort(), o) &&
            runConfig(rows[2], dir.file("etcd3"), 3, etcdFlags("/bench-3/"), etcd.clientPort(), o);
  if (!ok) return 1;

  std::printf("\n%d pods over %d nodes, %d client threads, --threads %d per replica\n\n", o.pods, o.nodes, o.threads,
              o.replicaThreads);
  std::printf("| set-up | reservations/s | binding p50 | binding p99 | pending records/s | pod p99 |\n");
  std::printf("|---|---|---|---|---|---|\n");
  for (const Row& r : rows) {
    std::printf("| %s | %.0f | %.2f ms | %.2f ms | %.0f | %.2f ms |\n", r.name.c_str(), r.bind.perSecond,
                r.bind.p50 / 1000.0, r.bind.p99 / 1000.0, r.validate.perSecond, r.validate.p99 / 1000.0);
    if (r.bind.ok != r.bind.total || r.validate.ok != r.validate.total)
      std::printf("|   (%s: %d/%d bindings and %d/%d pods allowed) |||||\n", r.name.c_str(), r.bind.ok, r.bind.total,
                  r.validate.ok, r.validate.total);
  }
  std::printf("\netcd during the binding phase (from its /metrics):\n\n");
  std::printf("| set-up | Raft proposals per reservation | WAL fsyncs per reservation | mean WAL fsync | races lost per reservation |\n");
  std::printf("|---|---|---|---|---|\n");
  for (const Row& r : rows) {
    if (!r.hasEtcd || r.bind.ok == 0) continue;
    std::printf("| %s | %.2f | %.2f | %.2f ms | %.3f |\n", r.name.c_str(), r.bindEtcd.proposals / r.bind.ok,
                r.bindEtcd.fsyncs / r.bind.ok,
                r.bindEtcd.fsyncs > 0 ? 1000.0 * r.bindEtcd.fsyncSeconds / r.bindEtcd.fsyncs : 0.0,
                r.bindEtcd.conflicts / r.bind.ok);
  }
  return 0;
}
