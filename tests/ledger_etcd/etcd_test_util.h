// Fixture for the etcd backend suites: a real etcd (EtcdProcess) per test, and
// EtcdStores on it with a FakeClock and short lease/probe periods.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/ledger/ledger_test_util.h"
#include "tests/support/etcd/etcd_process.h"
#include "webhook/common/clock.h"
#include "webhook/common/metrics.h"
#include "webhook/ledger/etcd/etcd_store.h"

namespace migwarden::ledger::etcd::testutil {

using namespace migwarden::ledger::testutil;  // NOLINT: report builders

class EtcdStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MIGWARDEN_REQUIRE_ETCD();
    etcd_ = std::make_unique<migwarden::testing::EtcdProcess>();
    ASSERT_TRUE(etcd_->running());
  }

  EtcdStoreOptions options(const std::string& endpoint = "", const std::string& prefix = "/test/") {
    EtcdStoreOptions o;
    auto eps = parseEndpoints(endpoint.empty() ? etcd_->endpoint() : endpoint);
    EXPECT_TRUE(eps.ok()) << eps.status().toString();
    if (eps.ok()) o.client.endpoints = *eps;
    o.client.requestTimeout = std::chrono::milliseconds(2'000);
    o.prefix = prefix;
    o.clock = &clock_;
    o.metrics = &metrics_;
    o.leaderLeaseTtl = std::chrono::seconds(2);
    o.maintenanceInterval = std::chrono::milliseconds(200);
    o.initialSyncTimeout = std::chrono::seconds(10);
    return o;
  }

  std::unique_ptr<EtcdStore> open(EtcdStoreOptions o) {
    auto store = EtcdStore::open(std::move(o));
    EXPECT_TRUE(store.ok()) << store.status().toString();
    if (!store.ok()) return nullptr;
    EXPECT_TRUE((*store)->health().ok()) << (*store)->health().toString() << "\netcd:\n" << etcd_->output();
    return std::move(store).value();
  }
  std::unique_ptr<EtcdStore> open(const std::string& prefix = "/test/") { return open(options("", prefix)); }

  // Blocks until `reader` has seen everything etcd holds now (one watch round trip).
  static void catchUp(EtcdStore& reader, EtcdStore& writer) {
    auto rev = writer.currentRevision();
    ASSERT_TRUE(rev.ok()) << rev.status().toString();
    ASSERT_TRUE(reader.waitForRevision(*rev, std::chrono::seconds(10))) << "watch did not deliver revision " << *rev;
  }

  FakeClock clock_;
  MetricsRegistry metrics_;
  std::unique_ptr<migwarden::testing::EtcdProcess> etcd_;
};

}  // namespace migwarden::ledger::etcd::testutil
