// Ledger changes made through the webhook's AuditedStore land in the audit log next to
// the decisions; with --audit-failure deny a broken sink stops new GPU allocations (the
// rules answer 503) but never releases, which only free capacity.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/audit/audit_test_util.h"
#include "tests/ledger/ledger_test_util.h"
#include "tests/support/temp_dir.h"
#include "webhook/cmd/webhook/ledger_audit.h"
#include "webhook/ledger/local_store.h"
#include "webhook/policy/builtin.h"

namespace migwarden::webhook {
namespace {

using ledger::testutil::a100Node;
using ledger::testutil::kMig1g;
using ledger::testutil::reserveRequest;
using nlohmann::json;

class LedgerAudit : public ::testing::Test {
 protected:
  void SetUp() override {
    audit_.options().failureMode = audit::AuditFailureMode::kDeny;
    ASSERT_TRUE(audit_.open().ok());
    ledger::LocalStoreOptions o;
    o.dir = dir_.path();
    o.env = &env_;
    o.clock = &audit_.clock();
    auto store = ledger::LocalStore::open(o);
    ASSERT_TRUE(store.ok()) << store.status().message();
    store_ = std::move(store).value();
    ASSERT_TRUE(store_->applyNodeReport(a100Node("gpu-a")).ok());
    audited_ = std::make_unique<AuditedStore>(*store_, audit_.log(), policies_);
  }
  // The ledger events written so far, in order.
  std::vector<json> ledgerRecords() {
    audit_.log().flush();
    std::vector<json> out;
    for (const std::string& line : audit::testutil::readLines(audit_.path())) {
      json record = json::parse(line);
      if (record.value("kind", "") == "ledger") out.push_back(record);
    }
    return out;
  }
  // Makes the sink fail and latches it, as a full disk would.
  void breakTheSink() {
    audit_.env().failAppend = true;
    audit_.log().append(audit::testutil::deniedPod("trigger"));
    audit_.log().flush();
    ASSERT_FALSE(audit_.log().acceptingWrites());
  }

  audit::testutil::LogFixture audit_;
  testing::TempDir dir_;
  PosixEnv env_;
  policy::PolicyStore policies_{*policy::loadBuiltinPolicy()};
  std::unique_ptr<ledger::LocalStore> store_;
  std::unique_ptr<AuditedStore> audited_;
};

TEST_F(LedgerAudit, AReservationAndItsReleaseAreRecordedWithNodeAndSlices) {
  ASSERT_TRUE(audited_->reserve(reserveRequest("pod-1", "gpu-a", 2)).ok());
  ASSERT_TRUE(*audited_->release("pod-1"));
  std::vector<json> records = ledgerRecords();
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[0]["event"], "reservation");
  EXPECT_EQ(records[0]["podUid"], "pod-1");
  EXPECT_EQ(records[0]["node"], "gpu-a");
  EXPECT_NE(records[0].dump().find(kMig1g), std::string::npos) << records[0].dump();
  EXPECT_EQ(records[1]["event"], "release");
  EXPECT_EQ(records[1]["node"], "gpu-a");
  EXPECT_FALSE(records[0].value("policyDigest", "").empty());
}

TEST_F(LedgerAudit, ARetriedOrDryRunReservationChangesNothingAndIsNotRecordedAgain) {
  ASSERT_TRUE(audited_->reserve(reserveRequest("pod-1", "gpu-a", 1)).ok());
  ASSERT_TRUE(audited_->reserve(reserveRequest("pod-1", "gpu-a", 1)).ok());  // the scheduler retried
  ledger::ReserveRequest dry = reserveRequest("pod-2", "gpu-a", 1);
  dry.dryRun = true;
  ASSERT_TRUE(audited_->reserve(dry).ok());
  EXPECT_EQ(ledgerRecords().size(), 1u);
}

TEST_F(LedgerAudit, WithTheSinkDownNewAllocationsAreRefusedButReleasesStillHappen) {
  ASSERT_TRUE(audited_->reserve(reserveRequest("pod-1", "gpu-a", 2)).ok());
  breakTheSink();

  auto refused = audited_->reserve(reserveRequest("pod-2", "gpu-a", 1));
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(refused.status().message().find("--audit-failure deny"), std::string::npos) << refused.status().message();
  Status pending = audited_->recordPending({"pod-3", "ml", "train", {{kMig1g, 1}}, audit_.clock().now()}, false);
  EXPECT_EQ(pending.code(), StatusCode::kUnavailable);
  EXPECT_FALSE(store_->reservationOf("pod-2").has_value());

  auto released = audited_->release("pod-1");
  ASSERT_TRUE(released.ok());
  EXPECT_TRUE(*released);
  EXPECT_EQ(store_->freeSlices("gpu-a", kMig1g), 7);

  ledger::ReserveRequest dry = reserveRequest("pod-4", "gpu-a", 1);
  dry.dryRun = true;
  EXPECT_TRUE(audited_->reserve(dry).ok()) << "a dry run changes nothing, so it needs no record";
}

}  // namespace
}  // namespace migwarden::webhook
