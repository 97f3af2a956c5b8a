// Moving a ledger between backends: export from one Store, import into the other, and
// the view is the same.
#include <gtest/gtest.h>

#include "tests/ledger_etcd/etcd_test_util.h"
#include "webhook/ledger/etcd/dump_json.h"
#include "webhook/ledger/view_json.h"

namespace migwarden::ledger::etcd {
namespace {

using testutil::EtcdStoreTest;
using testutil::a100Node;
using testutil::allocate;
using testutil::kMig1g;
using testutil::migUuid;
using testutil::reserveRequest;

void fill(Store& store, const Clock& clock) {
  NodeReport n1 = a100Node("n1", 2, 7);
  allocate(n1, "bound-1", "bound-1", kMig1g, {migUuid("n1", 0, 0)});
  ASSERT_TRUE(store.applyNodeReport(n1).ok());
  ASSERT_TRUE(store.applyNodeReport(a100Node("n2", 1, 3)).ok());
  ASSERT_TRUE(store.recordPending(PendingPod{"p1", "ml", "train", {{kMig1g, 2}}, clock.now()}, false).ok());
  ASSERT_TRUE(store.reserve(reserveRequest("r1", "n1", 3)).ok());
  ASSERT_TRUE(store.reserve(reserveRequest("r2", "n2", 1)).ok());
}

TEST_F(EtcdStoreTest, ALocalLedgerExportedAndImportedIntoEtcdShowsTheSameView) {
  ledger::testutil::StoreFixture local;
  fill(local.store(), clock_);
  auto dump = local.store().exportLedger();
  ASSERT_TRUE(dump.ok()) << dump.status().toString();
  auto file = decodeLedgerDump(encodeLedgerDump(*dump));  // through the file format
  ASSERT_TRUE(file.ok()) << file.status().toString();

  auto store = open();
  ASSERT_TRUE(store->importLedger(*file).ok());
  EXPECT_EQ(encodeLedgerView(store->view()), encodeLedgerView(local.store().view()));
  auto other = open();  // a replica that only listed etcd
  EXPECT_EQ(encodeLedgerView(other->view()), encodeLedgerView(local.store().view()));
  EXPECT_EQ(other->reserve(reserveRequest("r9", "n2", 3)).status().code(), StatusCode::kResourceExhausted);
}

TEST_F(EtcdStoreTest, AnEtcdLedgerExportedAndImportedIntoALocalDirectoryShowsTheSameView) {
  auto store = open();
  fill(*store, clock_);
  auto dump = store->exportLedger();
  ASSERT_TRUE(dump.ok()) << dump.status().toString();
  ledger::testutil::StoreFixture local;
  ASSERT_TRUE(local.store().importLedger(*dump).ok());
  ASSERT_TRUE(local.reopen().ok());  // it is durable
  EXPECT_EQ(encodeLedgerView(local.store().view()), encodeLedgerView(store->view()));
}

TEST_F(EtcdStoreTest, ImportRefusesALedgerThatIsNotEmpty) {
  auto store = open();
  ASSERT_TRUE(store->applyNodeReport(a100Node("n1", 1, 7)).ok());
  Status s = store->importLedger(LedgerDump{});
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(s.message().find("empty"), std::string::npos) << s.message();
  ledger::testutil::StoreFixture local;
  ASSERT_TRUE(local.store().applyNodeReport(a100Node("n1", 1, 7)).ok());
  EXPECT_EQ(local.store().importLedger(LedgerDump{}).code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace migwarden::ledger::etcd
