// The Store contract's rules, exercised on LocalStore (real files in a temp dir).
#include <gtest/gtest.h>

#include "tests/ledger/ledger_test_util.h"
#include "webhook/ledger/view_json.h"

namespace migwarden::ledger {
namespace {

using namespace testutil;
using std::chrono::seconds;

class LedgerStore : public ::testing::Test {
 protected:
  StoreFixture f;
  LocalStore& store() { return f.store(); }
  void apply(const NodeReport& r) {
    auto outcome = store().applyNodeReport(r);
    ASSERT_TRUE(outcome.ok()) << outcome.status().toString();
  }
};

TEST_F(LedgerStore, AppliedReportDefinesTheNodesFreeSlices) {
  apply(a100Node("gpu-a", 2));
  EXPECT_EQ(store().freeSlices("gpu-a", kMig1g), 14);
  EXPECT_EQ(store().freeSlices("gpu-a", kMig3g), 0);
  EXPECT_EQ(store().freeSlices("gpu-b", kMig1g), 0);
}

TEST_F(LedgerStore, BoundAndUnhealthySlicesAreNotFree) {
  NodeReport r = a100Node("gpu-a");
  r.gpus[0].migDevices[6].healthy = false;
  allocate(r, "u1", "p1", kMig1g, {migUuid("gpu-a", 0, 0), migUuid("gpu-a", 0, 1)});
  allocate(r, "u2", "p2", kMig1g, {migUuid("gpu-a", 0, 6)});  // bound but unhealthy
  apply(r);
  EXPECT_EQ(store().freeSlices("gpu-a", kMig1g), 4);
}

TEST_F(LedgerStore, ReportWithALowerSequenceForTheSameBootIsStale) {
  apply(a100Node("gpu-a", 1, 7, 5));
  auto stale = store().applyNodeReport(a100Node("gpu-a", 1, 7, 4));
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), StatusCode::kConflict);
  EXPECT_NE(stale.status().message().find("sequence 4 < last accepted 5"), std::string::npos);
  // The same sequence again is a retry, not stale.
  EXPECT_TRUE(store().applyNodeReport(a100Node("gpu-a", 1, 7, 5)).ok());
  EXPECT_EQ(store().node("gpu-a")->first.sequence, 5);
}

TEST_F(LedgerStore, NewBootIdRestartsTheSequence) {
  apply(a100Node("gpu-a", 1, 7, 50, "boot-1"));
  auto outcome = store().applyNodeReport(a100Node("gpu-a", 1, 7, 1, "boot-2"));
  ASSERT_TRUE(outcome.ok()) << outcome.status().toString();
  EXPECT_TRUE(outcome->newBoot);
  EXPECT_EQ(store().node("gpu-a")->second.sequence, 1);
  EXPECT_FALSE(store().applyNodeReport(a100Node("gpu-a", 1, 7, 0, "boot-2")).ok());
}

TEST_F(LedgerStore, ReserveTakesSlicesAllOrNothing) {
  apply(a100Node("gpu-a"));
  auto ok = store().reserve(reserveRequest("u1", "gpu-a", 5));
  ASSERT_TRUE(ok.ok()) << ok.status().toString();
  EXPECT_EQ(ok->kind, ReserveOutcome::Kind::kReserved);
  EXPECT_EQ(store().freeSlices("gpu-a", kMig1g), 2);

  auto tooMany = store().reserve(reserveRequest("u2", "gpu-a", 3));
  ASSERT_FALSE(tooMany.ok());
  EXPECT_EQ(tooMany.status().code(), StatusCode::kResourceExhausted);
  EXPECT_NE(tooMany.status().message().find("has 2 free nvidia.com/mig-1g.5gb (needs 3)"), std::string::npos)
      << tooMany.status().message();
  EXPECT_EQ(store().freeSlices("gpu-a", kMig1g), 2);
  EXPECT_FALSE(store().reservationOf("u2").has_value());

  // Two resources: one is short, so neither is taken.
  ReserveRequest mixed = reserveRequest("u3", "gpu-a", 1);
  mixed.needs[kMig3g] = 1;
  EXPECT_EQ(store().reserve(mixed).status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(store().freeSlices("gpu-a", kMig1g), 2);
}

TEST_F(LedgerStore, RetriedReserveGetsTheSameAnswer) {
  apply(a100Node("gpu-a"));
  auto first = store().reserve(reserveRequest("u1", "gpu-a", 2));
  ASSERT_TRUE(first.ok());
  f.clock().advance(seconds(10));
  auto again = store().reserve(reserveRequest("u1", "gpu-a", 2));
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->kind, ReserveOutcome::Kind::kAlreadyReserved);
  EXPECT_EQ(again->reservation, first->reservation);  // not extended
  EXPECT_EQ(store().freeSlices("gpu-a", kMig1g), 5);

  auto different = store().reserve(reserveRequest("u1", "gpu-a", 3));
  EXPECT_EQ(different.status().code(), StatusCode::kAlreadyExists);
}

TEST_F(LedgerStore, DryRunChangesNothing) {
  apply(a100Node("gpu-a"));
  ReserveRequest r = reserveRequest("u1", "gpu-a", 7);
  r.dryRun = true;
  auto outcome = store().reserve(r);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->kind, ReserveOutcome::Kind::kReserved);
  r.needs[kMig1g] = 8;
  EXPECT_EQ(store().reserve(r).status().code(), StatusCode::kResourceExhausted);
  EXPECT_TRUE(store().recordPending(PendingPod{"u1", "default", "p", {{kMig1g, 1}}, {}}, /*dryRun=*/true).ok());
  EXPECT_FALSE(store().pendingOf("u1").has_value());
  EXPECT_FALSE(store().reservationOf("u1").has_value());
  EXPECT_EQ(store().freeSlices("gpu-a", kMig1g), 7);
  const auto logSize = *f.env().fileSize(f.logPath());
  ASSERT_TRUE(f.reopen().ok());
  EXPECT_EQ(store().recoveryInfo().recordsReplayed, 1u);  // only the report
  EXPECT_EQ(*f.env().fileSize(f.logPath()), logSize);
}

TEST_F(LedgerStore, ReserveTakesNeedsAndNamesFromThePendingRecord) {
  apply(a100Node("gpu-a"));
  ASSERT_TRUE(store().recordPending(PendingPod{"u1", "ml", "train", {{kMig1g, 3}}, f.clock().now()}, false).ok());
  ReserveRequest r;
  r.podUid = "u1";
  r.node = "gpu-a";
  auto outcome = store().reserve(r);
  ASSERT_TRUE(outcome.ok()) << outcome.status().toString();
  EXPECT_EQ(outcome->reservation.needs, (ResourceCounts{{kMig1g, 3}}));
  EXPECT_EQ(outcome->reservation.ns, "ml");
  EXPECT_EQ(store().freeSlices("gpu-a", kMig1g), 4);
}

TEST_F(LedgerStore, PendingRecordOutlivesAnExpiredReservationSoABindingRetryWorks) {
  apply(a100Node("gpu-a"));
  ASSERT_TRUE(store().recordPending(PendingPod{"u1", "ml", "train", {{kMig1g, 2}}, {}}, false).ok());
  ReserveRequest r;
  r.podUid = "u1";
  r.node = "gpu-a";
  ASSERT_TRUE(store().reserve(r).ok());
  EXPECT_TRUE(store().pendingOf("u1").has_value());
  f.clock().advance(seconds(301));
  auto again = store().reserve(r);
  ASSERT_TRUE(again.ok()) << again.status().toString();
  EXPECT_EQ(again->kind, ReserveOutcome::Kind::kReserved);
  EXPECT_EQ(store().freeSlices("gpu-a", kMig1g), 5);
}

TEST_F(LedgerStore, ReserveRefusesUnknownNodesAndBadRequests) {
  EXPECT_EQ(store().reserve(reserveRequest("u1", "nowhere", 1)).status().code(), StatusCode::kNotFound);
  apply(a100Node("gpu-a"));
  EXPECT_EQ(store().reserve(reserveRequest("", "gpu-a", 1)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store().reserve(reserveRequest("u1", "gpu-a", 0)).status().code(), StatusCode::kInvalidArgument);
  ReserveRequest noNeeds = reserveRequest("u1", "gpu-a", 1);
  noNeeds.needs.clear();
  EXPECT_EQ(store().reserve(noNeeds).status().code(), StatusCode::kInvalidArgument);
}

TEST_F(LedgerStore, NodeMidMigReconfigurationTakesNoReservations) {
  NodeReport r = a100Node("gpu-a");
  r.migConfigState = "pending";
  apply(r);
  EXPECT_TRUE(store().isReconfiguring("gpu-a"));
  EXPECT_EQ(store().reserve(reserveRequest("u1", "gpu-a", 1)).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(store().nodesThatCouldTake({{kMig1g, 1}}).empty());
  r.migConfigState = "success";
  r.sequence = 2;
  apply(r);
  EXPECT_FALSE(store().isReconfiguring("gpu-a"));
  EXPECT_TRUE(store().reserve(reserveRequest("u1", "gpu-a", 1)).ok());
}

TEST_F(LedgerStore, UnconfirmedReservationsExpireAfterTheirTtl) {
  apply(a100Node("gpu-a"));
  ASSERT_TRUE(store().reserve(reserveRequest("u1", "gpu-a", 7)).ok());
  f.clock().advance(seconds(299));
  EXPECT_TRUE(store().expireReservations(f.clock().now())->empty());
  EXPECT_EQ(store().freeSlices("gpu-a", kMig1g), 0);
  f.clock().advance(seconds(1));
  auto expired = store().expireReservations(f.clock().now());
  ASSERT_TRUE(expired.ok());
  EXPECT_EQ(*expired, std::vector<std::string>{"u1"});
  EXPECT_EQ(store().freeSlices("gpu-a", kMig1g), 7);
  EXPECT_FALSE(store().reservationOf("u1").has_value());
}

TEST_F(LedgerStore, AnExpiredReservationNeverDeniesANewOne) {
  apply(a100Node("gpu-a"));
  ASSERT_TRUE(store().reserve(reserveRequest("u1", "gpu-a", 7)).ok());
  f.clock().advance(seconds(301));
  EXPECT_TRUE(store().reserve(reserveRequest("u2", "gpu-a", 7)).ok());
  EXPECT_FALSE(store().reservationOf("u1").has_value());
}

TEST_F(LedgerStore, ReservationBecomesBoundWhenTheAgentReportsThePod) {
  apply(a100Node("gpu-a"));
  ASSERT_TRUE(store().reserve(reserveRequest("u1", "gpu-a", 2)).ok());
  NodeReport r = a100Node("gpu-a", 1, 7, 2);
  allocate(r, "u1", "pod-u1", kMig1g, {migUuid("gpu-a", 0, 0), migUuid("gpu-a", 0, 1)});
  auto outcome = store().applyNodeReport(r);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->nowBound, std::vector<std::string>{"u1"});
  EXPECT_FALSE(store().reservationOf("u1").has_value());
  EXPECT_EQ(store().freeSlices("gpu-a", kMig1g), 5);  // counted once, as bound
  auto retry = store().reserve(reserveRequest("u1", "gpu-a", 2));
  ASSERT_TRUE(retry.ok());
  EXPECT_EQ(retry->kind, ReserveOutcome::Kind::kAlreadyBound);
}

TEST_F(LedgerStore, AllocationWithoutPodUidMatchesTheReservationByNamespaceAndName) {
  apply(a100Node("gpu-a"));
  ASSERT_TRUE(store().recordPending(PendingPod{"u1", "ml", "train", {{kMig1g, 1}}, {}}, false).ok());
  ReserveRequest req = reserveRequest("u1", "gpu-a", 1);
  req.ns.clear();
  req.name.clear();
  ASSERT_TRUE(store().reserve(req).ok());
  NodeReport r = a100Node("gpu-a", 1, 7, 2);
  allocate(r, "", "train", kMig1g, {migUuid("gpu-a", 0, 3)}, "main", "ml");
  auto outcome = store().applyNodeReport(r);
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->nowBound, std::vector<std::string>{"u1"});
  EXPECT_FALSE(store().pendingOf("u1").has_value());
  EXPECT_EQ(store().node("gpu-a")->second.boundPods.at(0).podUid, "u1");
}

TEST_F(LedgerStore, VanishedAllocationIsReleased) {
  NodeReport r = a100Node("gpu-a");
  allocate(r, "u1", "p1", kMig1g, {migUuid("gpu-a", 0, 0)});
  apply(r);
  EXPECT_EQ(store().freeSlices("gpu-a", kMig1g), 6);
  auto outcome = store().applyNodeReport(a100Node("gpu-a", 1, 7, 2));
  ASSERT_TRUE(outcome.ok());
  EXPECT_EQ(outcome->released, std::vector<std::string>{"u1"});
  EXPECT_EQ(store().freeSlices("gpu-a", kMig1g), 7);
}

TEST_F(LedgerStore, ReleaseDropsReservationAndPendingRecord) {
  apply(a100Node("gpu-a"));
  ASSERT_TRUE(store().recordPending(PendingPod{"u1", "ml", "p", {{kMig1g, 2}}, {}}, false).ok());
  ASSERT_TRUE(store().reserve(reserveRequest("u1", "gpu-a", 2)).ok());
  EXPECT_EQ(*store().release("u1"), true);
  EXPECT_EQ(*store().release("u1"), false);
  EXPECT_FALSE(store().pendingOf("u1").has_value());
  EXPECT_EQ(store().freeSlices("gpu-a", kMig1g), 7);
}

TEST_F(LedgerStore, NodesThatCouldTakeListsOnlyNodesWithEnoughOfEverything) {
  apply(a100Node("gpu-a", 1, 2));
  apply(a100Node("gpu-b", 1, 7));
  NodeReport c = a100Node("gpu-c", 1, 4);
  c.gpus[0].migDevices.push_back(MigDevice{"MIG-c-3g", "3g.20gb", 1, 0, Placement{4, 4}, true});
  apply(c);
  EXPECT_EQ(store().nodesThatCouldTake({{kMig1g, 1}}), (std::vector<std::string>{"gpu-a", "gpu-b", "gpu-c"}));
  EXPECT_EQ(store().nodesThatCouldTake({{kMig1g, 3}}), (std::vector<std::string>{"gpu-b", "gpu-c"}));
  EXPECT_EQ(store().nodesThatCouldTake({{kMig1g, 3}, {kMig3g, 1}}), std::vector<std::string>{"gpu-c"});
  ASSERT_TRUE(store().reserve(reserveRequest("u1", "gpu-c", 1, kMig3g)).ok());
  EXPECT_TRUE(store().nodesThatCouldTake({{kMig3g, 1}}).empty());
}

TEST_F(LedgerStore, WholeGpusCountOnlyWhenMigIsDisabled) {
  NodeReport r = a100Node("gpu-a", 2, 0);
  r.gpus[0].migMode = "disabled";
  apply(r);
  EXPECT_EQ(store().freeSlices("gpu-a", "nvidia.com/gpu"), 1);
}

TEST_F(LedgerStore, ViewEncodesNodesReservationsAndPending) {
  apply(a100Node("gpu-a"));
  ASSERT_TRUE(store().reserve(reserveRequest("u1", "gpu-a", 2)).ok());
  const std::string json = encodeLedgerView(store().view());
  EXPECT_NE(json.find(R"("resource":"nvidia.com/mig-1g.5gb","total":7,"healthy":7,"bound":0,"reserved":2,"free":5)"),
            std::string::npos)
      << json;
  EXPECT_NE(json.find(R"("podUid":"u1")"), std::string::npos);
  auto node = store().node("gpu-a");
  ASSERT_TRUE(node.has_value());
  EXPECT_NE(encodeNodeView(node->first, node->second).find(R"("report":{"node":"gpu-a")"), std::string::npos);
}

}  // namespace
}  // namespace migwarden::ledger

namespace migwarden::ledger {
namespace {

using namespace testutil;

bool hasLine(const std::string& text, const std::string& line) { return text.find(line + "\n") != std::string::npos; }

TEST(LedgerMetrics, ReservationsReportsAndExpiriesAreCounted) {
  StoreFixture f;
  ASSERT_TRUE(f.store().applyNodeReport(a100Node("gpu-a", 1, 7, 2)).ok());
  EXPECT_FALSE(f.store().applyNodeReport(a100Node("gpu-a", 1, 7, 1)).ok());
  ASSERT_TRUE(f.store().reserve(reserveRequest("u1", "gpu-a", 7)).ok());
  ASSERT_TRUE(f.store().reserve(reserveRequest("u1", "gpu-a", 7)).ok());
  EXPECT_FALSE(f.store().reserve(reserveRequest("u2", "gpu-a", 1)).ok());
  f.clock().advance(std::chrono::seconds(301));
  ASSERT_TRUE(f.store().expireReservations(f.clock().now()).ok());
  const std::string m = f.metrics().renderPrometheus();
  EXPECT_TRUE(hasLine(m, R"(migwarden_ledger_reservations_total{outcome="granted"} 1)")) << m;
  EXPECT_TRUE(hasLine(m, R"(migwarden_ledger_reservations_total{outcome="retry"} 1)"));
  EXPECT_TRUE(hasLine(m, R"(migwarden_ledger_reservations_total{outcome="denied"} 1)"));
  EXPECT_TRUE(hasLine(m, R"(migwarden_ledger_node_reports_total{outcome="stale"} 1)"));
  EXPECT_TRUE(hasLine(m, "migwarden_ledger_reservations_expired_total 1"));
  EXPECT_TRUE(hasLine(m, "migwarden_ledger_read_only 0"));
}

}  // namespace
}  // namespace migwarden::ledger
