// The text tables `migwardenctl ledger show` prints.
#include <gtest/gtest.h>

#include "tests/ledger/ledger_test_util.h"
#include "webhook/ledger/api/view_table.h"

namespace migwarden::ledger::testutil {
namespace {

TEST(LedgerViewTable, ShowsFreeOverTotalReservationsAndConflicts) {
  StoreFixture f;
  NodeReport report = a100Node("gpu-a");
  allocate(report, "uid-1", "train-1", kMig1g, {migUuid("gpu-a", 0, 0)});
  allocate(report, "uid-2", "train-2", kMig1g, {migUuid("gpu-a", 0, 0)});
  ASSERT_TRUE(f.store().applyNodeReport(report).ok());
  ASSERT_TRUE(f.store().applyNodeReport(a100Node("gpu-b", 1, 7)).ok());
  ASSERT_TRUE(f.store().reserve(reserveRequest("uid-9", "gpu-b", 2)).ok());

  const std::string text = renderLedgerTables(f.store().view(), f.clock().now());
  EXPECT_NE(text.find("gpu-b  nvidia.com/mig-1g.5gb  5/7"), std::string::npos) << text;
  EXPECT_NE(text.find("CONFLICT"), std::string::npos);
  EXPECT_NE(text.find("device_in_two_pods"), std::string::npos);
  EXPECT_NE(text.find("uid-9"), std::string::npos);
  EXPECT_NE(text.find("in 5m0s"), std::string::npos) << "reservation TTL is 300s";
  EXPECT_NE(text.find("PENDING PODS\n  (none)"), std::string::npos);
}

TEST(LedgerViewTable, EmptyLedgerSaysNoneInEverySection) {
  const std::string text = renderLedgerTables(LedgerView{}, TimePoint{});
  EXPECT_NE(text.find("NODES\n  (none)"), std::string::npos) << text;
  EXPECT_NE(text.find("CONFLICTS\n  (none)"), std::string::npos);
}

}  // namespace
}  // namespace migwarden::ledger::testutil
