// The Store contract (store.h) on the etcd backend, against a real etcd, with the
// local backend as the oracle where the answer must be identical.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "tests/ledger_etcd/etcd_test_util.h"
#include "webhook/ledger/view_json.h"

namespace migwarden::ledger::etcd {
namespace {

using testutil::EtcdStoreTest;
using testutil::a100Node;
using testutil::allocate;
using testutil::kMig1g;
using testutil::migUuid;
using testutil::numbered;
using testutil::reserveRequest;

TEST_F(EtcdStoreTest, AReportedNodeTakesReservationsUntilItsSlicesAreGone) {
  auto store = open();
  ASSERT_TRUE(store->applyNodeReport(a100Node("n1", 1, 3)).ok());
  EXPECT_EQ(store->freeSlices("n1", kMig1g), 3);

  auto granted = store->reserve(reserveRequest("pod-a", "n1", 2));
  ASSERT_TRUE(granted.ok()) << granted.status().toString();
  EXPECT_EQ(granted->kind, ReserveOutcome::Kind::kReserved);
  EXPECT_EQ(store->freeSlices("n1", kMig1g), 1);  // read-your-writes, no waiting for the watch
  ASSERT_TRUE(store->reservationOf("pod-a").has_value());
  EXPECT_EQ(store->reservationOf("pod-a")->node, "n1");

  auto denied = store->reserve(reserveRequest("pod-b", "n1", 2));
  ASSERT_FALSE(denied.ok());
  EXPECT_EQ(denied.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(denied.status().message().find("has 1 free"), std::string::npos) << denied.status().message();
}

TEST_F(EtcdStoreTest, AStaleSequenceIsAConflictAndAnEqualOneIsARetry) {
  auto store = open();
  ASSERT_TRUE(store->applyNodeReport(a100Node("n1", 1, 2, 5)).ok());
  auto stale = store->applyNodeReport(a100Node("n1", 1, 2, 4));
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), StatusCode::kConflict);
  EXPECT_TRUE(store->applyNodeReport(a100Node("n1", 1, 2, 5)).ok());
  auto reboot = store->applyNodeReport(a100Node("n1", 1, 2, 1, "boot-2"));
  ASSERT_TRUE(reboot.ok());
  EXPECT_TRUE(reboot->newBoot);
}

TEST_F(EtcdStoreTest, ReservingTheSamePodAgainReturnsTheSameReservationAndDifferentNeedsAreRefused) {
  auto store = open();
  ASSERT_TRUE(store->applyNodeReport(a100Node("n1", 1, 7)).ok());
  ASSERT_TRUE(store->reserve(reserveRequest("pod-a", "n1", 1)).ok());
  auto again = store->reserve(reserveRequest("pod-a", "n1", 1));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->kind, ReserveOutcome::Kind::kAlreadyReserved);
  auto other = store->reserve(reserveRequest("pod-a", "n1", 2));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.status().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(store->freeSlices("n1", kMig1g), 6);
}

TEST_F(EtcdStoreTest, UnknownAndReconfiguringNodesTakeNoReservations) {
  auto store = open();
  EXPECT_EQ(store->reserve(reserveRequest("pod-a", "nowhere", 1)).status().code(), StatusCode::kNotFound);
  NodeReport busy = a100Node("n1", 1, 7);
  busy.migConfigState = "pending";
  ASSERT_TRUE(store->applyNodeReport(busy).ok());
  EXPECT_TRUE(store->isReconfiguring("n1"));
  EXPECT_EQ(store->reserve(reserveRequest("pod-a", "n1", 1)).status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(EtcdStoreTest, ReserveTakesNeedsFromThePendingRecordAndADryRunChangesNothing) {
  auto store = open();
  ASSERT_TRUE(store->applyNodeReport(a100Node("n1", 1, 7)).ok());
  PendingPod pod{"pod-a", "team", "train", {{kMig1g, 3}}, clock_.now()};
  ASSERT_TRUE(store->recordPending(pod, /*dryRun=*/false).ok());
  EXPECT_EQ(store->pendingOf("pod-a"), pod);

  ReserveRequest request;
  request.podUid = "pod-a";
  request.node = "n1";
  request.dryRun = true;
  auto dry = store->reserve(request);
  ASSERT_TRUE(dry.ok());
  EXPECT_EQ(dry->reservation.needs.at(kMig1g), 3);
  EXPECT_FALSE(store->reservationOf("pod-a").has_value());

  request.dryRun = false;
  auto real = store->reserve(request);
  ASSERT_TRUE(real.ok()) << real.status().toString();
  EXPECT_EQ(real->reservation.ns, "team");
  EXPECT_EQ(store->freeSlices("n1", kMig1g), 4);
}

TEST_F(EtcdStoreTest, AReportShowingThePodAllocatedConfirmsItsReservation) {
  auto store = open();
  ASSERT_TRUE(store->applyNodeReport(a100Node("n1", 1, 7, 1)).ok());
  ASSERT_TRUE(store->recordPending(PendingPod{"pod-a", "default", "pod-pod-a", {{kMig1g, 1}}, clock_.now()}, false).ok());
  ASSERT_TRUE(store->reserve(reserveRequest("pod-a", "n1", 1)).ok());
  NodeReport bound = a100Node("n1", 1, 7, 2);
  allocate(bound, "", "pod-pod-a", kMig1g, {migUuid("n1", 0, 0)});  // no uid: matched by name
  auto outcome = store->applyNodeReport(bound);
  ASSERT_TRUE(outcome.ok()) << outcome.status().toString();
  EXPECT_EQ(outcome->nowBound, std::vector<std::string>{"pod-a"});
  EXPECT_FALSE(store->reservationOf("pod-a").has_value());
  EXPECT_FALSE(store->pendingOf("pod-a").has_value());
  EXPECT_EQ(store->freeSlices("n1", kMig1g), 6);
  auto again = store->reserve(reserveRequest("pod-a", "n1", 1));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->kind, ReserveOutcome::Kind::kAlreadyBound);
}

TEST_F(EtcdStoreTest, ReleaseDropsTheReservationAndThePendingRecord) {
  auto store = open();
  ASSERT_TRUE(store->applyNodeReport(a100Node("n1", 1, 7)).ok());
  ASSERT_TRUE(store->recordPending(PendingPod{"pod-a", "default", "a", {{kMig1g, 2}}, clock_.now()}, false).ok());
  ASSERT_TRUE(store->reserve(reserveRequest("pod-a", "n1", 2)).ok());
  auto released = store->release("pod-a");
  ASSERT_TRUE(released.ok());
  EXPECT_TRUE(*released);
  EXPECT_FALSE(store->reservationOf("pod-a").has_value());
  EXPECT_FALSE(store->pendingOf("pod-a").has_value());
  EXPECT_EQ(store->freeSlices("n1", kMig1g), 7);
  auto nothing = store->release("pod-a");
  ASSERT_TRUE(nothing.ok());
  EXPECT_FALSE(*nothing);
}

TEST_F(EtcdStoreTest, ThreadsRacingForTheLastSlicesNeverOverAllocate) {
  auto store = open();
  ASSERT_TRUE(store->applyNodeReport(a100Node("n1", 1, 7)).ok());
  std::atomic<int> granted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 4; ++i) {
        auto r = store->reserve(reserveRequest(numbered("pod-", t * 100 + i), "n1", 1));
        if (r.ok()) ++granted;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(granted.load(), 7);
  EXPECT_EQ(store->freeSlices("n1", kMig1g), 0);
  EXPECT_EQ(store->view().reservations.size(), 7u);
}

TEST_F(EtcdStoreTest, TwoReplicasRacingForTheLastSliceExactlyOneWins) {
  auto a = open();
  auto b = open();
  ASSERT_TRUE(a->applyNodeReport(a100Node("n1", 1, 1)).ok());
  catchUp(*b, *a);
  for (int round = 0; round < 10; ++round) {
    const std::string pa = numbered("a-", round), pb = numbered("b-", round);
    Result<ReserveOutcome> ra = Status::Internal("not run"), rb = Status::Internal("not run");
    std::thread ta([&] { ra = a->reserve(reserveRequest(pa, "n1", 1)); });
    std::thread tb([&] { rb = b->reserve(reserveRequest(pb, "n1", 1)); });
    ta.join();
    tb.join();
    ASSERT_NE(ra.ok(), rb.ok()) << "round " << round << ": " << ra.status().toString() << " / "
                                << rb.status().toString();
    EXPECT_EQ((ra.ok() ? rb : ra).status().code(), StatusCode::kResourceExhausted);
    ASSERT_TRUE(a->release(ra.ok() ? pa : pb).ok());
    catchUp(*b, *a);
  }
}

TEST_F(EtcdStoreTest, OnlyTheSweeperReplicaExpiresReservations) {
  auto a = open();
  ASSERT_TRUE(a->applyNodeReport(a100Node("n1", 1, 7)).ok());
  ASSERT_TRUE(a->reserve(reserveRequest("pod-a", "n1", 1)).ok());
  auto early = a->expireReservations(clock_.now());  // becomes the sweeper; nothing due
  ASSERT_TRUE(early.ok());
  EXPECT_TRUE(early->empty());
  ASSERT_TRUE(a->isSweeper());
  auto b = open();
  clock_.advance(std::chrono::seconds(301));
  auto byB = b->expireReservations(clock_.now());
  ASSERT_TRUE(byB.ok());
  EXPECT_TRUE(byB->empty());
  EXPECT_FALSE(b->isSweeper());
  auto byA = a->expireReservations(clock_.now());
  ASSERT_TRUE(byA.ok());
  EXPECT_EQ(*byA, std::vector<std::string>{"pod-a"});
  catchUp(*b, *a);
  EXPECT_FALSE(b->reservationOf("pod-a").has_value());

  // The sweeper leaves (its lease is revoked): the other replica takes over at once.
  ASSERT_TRUE(b->reserve(reserveRequest("pod-b", "n1", 1)).ok());
  a.reset();
  catchUp(*b, *b);
  clock_.advance(std::chrono::seconds(301));
  auto takeover = b->expireReservations(clock_.now());
  ASSERT_TRUE(takeover.ok());
  EXPECT_EQ(*takeover, std::vector<std::string>{"pod-b"});
  EXPECT_TRUE(b->isSweeper());
}

TEST_F(EtcdStoreTest, AnExpiredReservationNeverDeniesANewOne) {
  auto store = open();
  ASSERT_TRUE(store->applyNodeReport(a100Node("n1", 1, 2)).ok());
  ASSERT_TRUE(store->reserve(reserveRequest("old", "n1", 2)).ok());
  clock_.advance(std::chrono::seconds(301));
  auto fresh = store->reserve(reserveRequest("new", "n1", 2));
  ASSERT_TRUE(fresh.ok()) << fresh.status().toString();
  EXPECT_FALSE(store->reservationOf("old").has_value());
}

// The same mutations on both backends give the same view (nodes, tallies, bound pods,
// reservations, pending pods, conflicts).
TEST_F(EtcdStoreTest, ItsViewMatchesTheLocalBackendAfterTheSameMutations) {
  ledger::testutil::StoreFixture local;
  auto store = open();
  NodeReport conflicted = a100Node("n2", 1, 3);
  allocate(conflicted, "x1", "x1", kMig1g, {migUuid("n2", 0, 0)});
  allocate(conflicted, "x2", "x2", kMig1g, {migUuid("n2", 0, 0)});  // one device, two pods
  NodeReport bound = a100Node("n1", 2, 7, 2);
  allocate(bound, "", "pod-pod-b", kMig1g, {migUuid("n1", 1, 3)});
  for (Store* s : {static_cast<Store*>(&local.store()), static_cast<Store*>(store.get())}) {
    ASSERT_TRUE(s->applyNodeReport(a100Node("n1", 2, 7)).ok());
    ASSERT_TRUE(s->applyNodeReport(conflicted).ok());
    ASSERT_TRUE(s->recordPending(PendingPod{"pod-c", "ml", "c", {{kMig1g, 2}}, clock_.now()}, false).ok());
    ASSERT_TRUE(s->recordPending(PendingPod{"pod-b", "default", "pod-pod-b", {{kMig1g, 1}}, clock_.now()}, false).ok());
    ASSERT_TRUE(s->reserve(reserveRequest("pod-a", "n1", 3)).ok());
    ASSERT_TRUE(s->reserve(reserveRequest("pod-b", "n1", 1)).ok());
    ASSERT_TRUE(s->applyNodeReport(bound).ok());
    EXPECT_EQ(s->reserve(reserveRequest("pod-d", "n2", 1)).status().code(), StatusCode::kFailedPrecondition);
  }
  EXPECT_EQ(encodeLedgerView(store->view()), encodeLedgerView(local.store().view()));
  EXPECT_EQ(store->conflicts(), local.store().conflicts());
  EXPECT_EQ(store->node("n1")->second.resources.front().free, local.store().node("n1")->second.resources.front().free);
  EXPECT_EQ(store->nodesThatCouldTake({{kMig1g, 5}}), local.store().nodesThatCouldTake({{kMig1g, 5}}));
}

}  // namespace
}  // namespace migwarden::ledger::etcd
