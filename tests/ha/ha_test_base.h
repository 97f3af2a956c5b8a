// Fixture for the HA tests: one real etcd (Debian's etcd-server) on free loopback ports
// in a temp dir, and three real migwarden-webhook replicas sharing it as their ledger
// (--ledger-backend etcd), as the `ha` overlay deploys them. Tests drive the replicas
// the way kube-apiserver, the scheduler and the node agents do.
#pragma once

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/ha/ha_reviews.h"
#include "tests/ha/ledger_probe.h"
#include "tests/ha/replica_set.h"
#include "tests/support/etcd/etcd_process.h"
#include "tests/support/temp_dir.h"

namespace migwarden::testing::ha {

class HaTest : public ::testing::Test {
 protected:
  static constexpr int kReplicas = 3;

  void SetUp() override {
    MIGWARDEN_REQUIRE_ETCD();  // skips, saying so, only when no etcd binary is installed
    etcd_ = std::make_unique<EtcdProcess>();
    ASSERT_TRUE(etcd_->running()) << etcd_->output();
    ReplicaSetOptions options;
    options.rootDir = dir_.path();
    options.replicas = kReplicas;
    options.backendFlags = {"--ledger-backend", "etcd", "--etcd-endpoints", etcd_->endpoint(), "--etcd-prefix",
                            "/migwarden-test/"};
    // Two cores run etcd, three replicas and the clients: keep each replica small.
    options.extraFlags = {"--threads", "2"};
    replicas_ = std::make_unique<ReplicaSet>(options);
    replicas_->startAll();
    for (int i = 0; i < kReplicas; ++i) ASSERT_TRUE(replicas_->running(i)) << replicas_->outputs();
    probe_ = std::make_unique<LedgerProbe>(*replicas_);
  }

  // Sends the report to replica `via` and waits until every running replica's view has it.
  void report(const nlohmann::json& nodeReport, int via = 0) {
    ASSERT_EQ(replicas_->putNodeReport(via, nodeReport), 200) << replicas_->outputs();
    ASSERT_TRUE(probe_->waitForNode(nodeReport["node"], nodeReport["sequence"]))
        << "the report did not reach every replica\n" << replicas_->outputs();
  }

  // Validates pods pod-<first>..pod-<first+count-1> (pending records), spread over the
  // replicas from `threads` clients, then waits until every replica's view holds them
  // all: the scheduler binds a pod only after the apiserver has stored it.
  void validatePods(int first, int count, int threads = 6);

  static std::string podUid(int i) { return "pod-" + std::to_string(i); }
  static std::string podName(int i) { return "train-" + std::to_string(i); }

  TempDir dir_;
  std::unique_ptr<EtcdProcess> etcd_;
  std::unique_ptr<ReplicaSet> replicas_;
  std::unique_ptr<LedgerProbe> probe_;
};

}  // namespace migwarden::testing::ha
