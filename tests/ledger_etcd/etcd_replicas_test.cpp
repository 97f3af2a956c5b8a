// Several replicas over one etcd: the watch, re-listing, and what happens while etcd
// is unreachable (stopped, or cut off by a partition) and when it comes back.
#include <gtest/gtest.h>

#include "tests/ledger_etcd/etcd_test_util.h"
#include "tests/support/etcd/tcp_proxy.h"
#include "webhook/ledger/view_json.h"

namespace migwarden::ledger::etcd {
namespace {

using testutil::EtcdStoreTest;
using testutil::a100Node;
using testutil::kMig1g;
using testutil::reserveRequest;

// Waits (bounded, on the store's own notifications) until health() is `ok`.
bool waitForHealth(EtcdStore& store, bool ok, std::chrono::seconds timeout = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (store.health().ok() != ok) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    // Any revision change or connection change wakes this up; the cap keeps polling
    // health (which moves without a revision) cheap.
    (void)store.waitForRevision(INT64_MAX, std::chrono::milliseconds(50));
  }
  return true;
}

TEST_F(EtcdStoreTest, AReplicaSeesAnotherReplicasWritesThroughTheWatch) {
  auto a = open();
  auto b = open();
  ASSERT_TRUE(a->applyNodeReport(a100Node("n1", 1, 7)).ok());
  ASSERT_TRUE(a->reserve(reserveRequest("pod-a", "n1", 3)).ok());
  catchUp(*b, *a);
  EXPECT_EQ(b->freeSlices("n1", kMig1g), 4);
  EXPECT_EQ(b->reservationOf("pod-a"), a->reservationOf("pod-a"));
  ASSERT_TRUE(b->release("pod-a").ok());
  catchUp(*a, *b);
  EXPECT_EQ(a->freeSlices("n1", kMig1g), 7);
  EXPECT_EQ(encodeLedgerView(a->view()), encodeLedgerView(b->view()));
}

// A pod admitted on replica A may be bound through replica B before B's watch has
// delivered A's pending record: B must not answer "no pending GPU needs" (the binding
// would pass without a reservation). Asked right after A's write, with no catch-up.
TEST_F(EtcdStoreTest, APendingRecordWrittenByAnotherReplicaIsFoundImmediately) {
  auto a = open();
  auto b = open();
  for (int i = 0; i < 20; ++i) {
    const std::string uid = testutil::numbered("pod-", i);
    PendingPod pod{uid, "team", "train-" + uid, {{kMig1g, 1}}, clock_.now()};
    ASSERT_TRUE(a->recordPending(pod, false).ok());
    EXPECT_EQ(b->pendingOf(uid), pod) << "replica B missed pod " << uid;
  }
  EXPECT_FALSE(b->pendingOf("never-admitted").has_value());
}

TEST_F(EtcdStoreTest, ANewReplicaListsTheWholeLedger) {
  auto a = open();
  for (int n = 0; n < 30; ++n) ASSERT_TRUE(a->applyNodeReport(a100Node(testutil::numbered("n", n), 1, 7)).ok());
  ASSERT_TRUE(a->reserve(reserveRequest("pod-a", "n7", 2)).ok());
  auto b = open();
  EXPECT_EQ(encodeLedgerView(b->view()), encodeLedgerView(a->view()));
}

TEST_F(EtcdStoreTest, WhileEtcdIsDownWritesFailClosedAndQueriesStillAnswer) {
  auto store = open();
  ASSERT_TRUE(store->applyNodeReport(a100Node("n1", 1, 7)).ok());
  ASSERT_TRUE(store->reserve(reserveRequest("pod-a", "n1", 2)).ok());

  etcd_->kill();
  ASSERT_TRUE(waitForHealth(*store, false));
  EXPECT_NE(store->health().message().find("ledger backend etcd unavailable"), std::string::npos)
      << store->health().message();
  auto denied = store->reserve(reserveRequest("pod-b", "n1", 1));
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), StatusCode::kIOError);
  EXPECT_NE(denied.status().message().find("ledger backend etcd unavailable"), std::string::npos);
  EXPECT_EQ(store->applyNodeReport(a100Node("n1", 1, 7, 2)).status().code(), StatusCode::kIOError);
  EXPECT_EQ(store->freeSlices("n1", kMig1g), 5);  // the view still answers
  EXPECT_TRUE(store->reservationOf("pod-a").has_value());
  EXPECT_TRUE(store->view().readOnly);

  ASSERT_TRUE(etcd_->restart());
  ASSERT_TRUE(waitForHealth(*store, true)) << store->health().toString();
  auto granted = store->reserve(reserveRequest("pod-b", "n1", 1));
  ASSERT_TRUE(granted.ok()) << granted.status().toString();
  EXPECT_EQ(store->freeSlices("n1", kMig1g), 4);  // nothing acknowledged was lost
}

TEST_F(EtcdStoreTest, AReplicaCutOffWhileTheLogIsCompactedReListsWhenItReconnects) {
  testing::TcpProxy proxy(etcd_->clientPort());
  auto a = open();
  auto b = open(options(proxy.endpoint()));
  ASSERT_TRUE(a->applyNodeReport(a100Node("n1", 1, 7)).ok());
  catchUp(*b, *a);

  proxy.cut();
  ASSERT_TRUE(waitForHealth(*b, false));
  EXPECT_EQ(b->reserve(reserveRequest("pod-x", "n1", 1)).status().code(), StatusCode::kIOError);
  ASSERT_TRUE(a->reserve(reserveRequest("pod-a", "n1", 2)).ok());
  ASSERT_TRUE(a->applyNodeReport(a100Node("n2", 1, 7)).ok());
  auto rev = a->currentRevision();
  ASSERT_TRUE(rev.ok());
  auto [code, out] = etcd_->etcdctl({"compaction", std::to_string(*rev)});
  ASSERT_EQ(code, 0) << out;
  const uint64_t relistsBefore = metrics_.counter("migwarden_ledger_etcd_relists_total", "").value();

  proxy.resume();
  ASSERT_TRUE(waitForHealth(*b, true));
  catchUp(*b, *a);
  EXPECT_GT(metrics_.counter("migwarden_ledger_etcd_relists_total", "").value(), relistsBefore);
  EXPECT_EQ(encodeLedgerView(b->view()), encodeLedgerView(a->view()));
  EXPECT_EQ(b->freeSlices("n1", kMig1g), 5);
}

TEST_F(EtcdStoreTest, AStoreOpenedBeforeEtcdIsUpStartsUnreadyAndConnectsLater) {
  etcd_->stop();
  auto o = options();
  o.initialSyncTimeout = std::chrono::milliseconds(0);
  auto store = EtcdStore::open(o);
  ASSERT_TRUE(store.ok()) << store.status().toString();
  EXPECT_FALSE((*store)->health().ok());
  EXPECT_EQ((*store)->reserve(reserveRequest("pod-a", "n1", 1)).status().code(), StatusCode::kIOError);
  ASSERT_TRUE(etcd_->restart());
  ASSERT_TRUE(waitForHealth(**store, true)) << (*store)->health().toString();
  EXPECT_TRUE((*store)->applyNodeReport(a100Node("n1", 1, 7)).ok());
}

TEST_F(EtcdStoreTest, AnEndpointThatDoesNotAnswerIsSkippedForTheNextOne) {
  testing::TcpProxy dead(etcd_->clientPort());
  dead.cut();  // accepts and hangs up, like a member that is going away
  auto store = open(options(dead.endpoint() + "," + etcd_->endpoint()));
  ASSERT_TRUE(store->applyNodeReport(a100Node("n1", 1, 7)).ok());
  EXPECT_TRUE(store->reserve(reserveRequest("pod-a", "n1", 1)).ok());
}

TEST_F(EtcdStoreTest, LedgersUnderDifferentPrefixesDoNotSeeEachOther) {
  auto a = open("/cluster-a/");
  auto b = open("/cluster-b/");
  auto otherB = open("/cluster-b/");
  ASSERT_TRUE(a->applyNodeReport(a100Node("n1", 1, 7)).ok());
  // A later write under b's prefix: once b's watch delivered it, it would have
  // delivered a's write too, had that been in range.
  ASSERT_TRUE(otherB->applyNodeReport(a100Node("b1", 1, 7)).ok());
  catchUp(*b, *otherB);
  ASSERT_EQ(b->view().nodes.size(), 1u);
  EXPECT_EQ(b->view().nodes[0].name, "b1");
  EXPECT_EQ(a->view().nodes.size(), 1u);
  EXPECT_EQ(b->reserve(reserveRequest("pod-a", "n1", 1)).status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace migwarden::ledger::etcd
