// Conflicts are detected, kept, counted, and block new reservations on the resources
// they touch, until a report no longer shows them.
#include <gtest/gtest.h>

#include "tests/ledger/ledger_test_util.h"

namespace migwarden::ledger {
namespace {

using namespace testutil;

struct ConflictCase {
  const char* name;
  std::function<NodeReport()> report;
  ConflictKind kind;
  std::string blockedResource;
};

std::vector<ConflictCase> conflictCases() {
  return {
      {"one device in two pods",
       [] {
         NodeReport r = a100Node("gpu-a");
         allocate(r, "u1", "p1", kMig1g, {migUuid("gpu-a", 0, 0)});
         allocate(r, "u2", "p2", kMig1g, {migUuid("gpu-a", 0, 0)});
         return r;
       },
       ConflictKind::kDeviceInTwoPods, kMig1g},
      {"whole GPU while one of its MIG devices is allocated",
       [] {
         NodeReport r = a100Node("gpu-a");
         allocate(r, "u1", "p1", "nvidia.com/gpu", {gpuUuid("gpu-a", 0)});
         allocate(r, "u2", "p2", kMig1g, {migUuid("gpu-a", 0, 1)});
         return r;
       },
       ConflictKind::kWholeGpuAndMigDevice, kMig1g},
      {"overlapping MIG placements on one GPU",
       [] {
         NodeReport r = a100Node("gpu-a", 1, 4);
         // Slices 0-3 are taken by 1g devices; a 3g instance at 3..6 overlaps slice 3.
         r.gpus[0].migDevices.push_back(MigDevice{"MIG-3g", "3g.20gb", 1, 0, Placement{3, 4}, true});
         return r;
       },
       ConflictKind::kOverlappingPlacement, kMig3g},
      {"more bound than exists",
       [] {
         NodeReport r = a100Node("gpu-a");
         allocate(r, "u1", "p1", kMig1g, {"MIG-not-in-inventory"});
         return r;
       },
       ConflictKind::kBoundMoreThanExists, kMig1g},
  };
}

TEST(LedgerConflicts, EachKindIsDetectedCountedAndBlocksReservations) {
  for (const auto& c : conflictCases()) {
    SCOPED_TRACE(c.name);
    StoreFixture f;
    auto outcome = f.store().applyNodeReport(c.report());
    ASSERT_TRUE(outcome.ok()) << outcome.status().toString();  // kept, not rejected
    ASSERT_EQ(outcome->newConflicts.size(), 1u);
    EXPECT_EQ(outcome->newConflicts[0].kind, c.kind);
    EXPECT_FALSE(outcome->newConflicts[0].message.empty());
    ASSERT_EQ(f.store().conflicts().size(), 1u);
    EXPECT_EQ(f.store().freeSlices("gpu-a", c.blockedResource), 0);
    auto denied = f.store().reserve(reserveRequest("new", "gpu-a", 1, c.blockedResource));
    EXPECT_EQ(denied.status().code(), StatusCode::kFailedPrecondition);
    EXPECT_NE(denied.status().message().find("in conflict"), std::string::npos);
    const std::string metrics = f.metrics().renderPrometheus();
    const std::string gauge =
        "migwarden_ledger_conflicts{kind=\"" + std::string(conflictKindName(c.kind)) + "\"} 1";
    EXPECT_NE(metrics.find(gauge), std::string::npos) << metrics;
  }
}

TEST(LedgerConflicts, ConflictIsKeptUntilAReportNoLongerShowsIt) {
  StoreFixture f;
  NodeReport r = a100Node("gpu-a");
  allocate(r, "u1", "p1", kMig1g, {migUuid("gpu-a", 0, 0)});
  allocate(r, "u2", "p2", kMig1g, {migUuid("gpu-a", 0, 0)});
  ASSERT_TRUE(f.store().applyNodeReport(r).ok());
  r.sequence = 2;
  auto again = f.store().applyNodeReport(r);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->conflicts.size(), 1u);
  EXPECT_TRUE(again->newConflicts.empty());  // counted once, not per report
  ASSERT_TRUE(f.reopen().ok());
  EXPECT_EQ(f.store().conflicts().size(), 1u);  // survives recovery

  NodeReport fixed = a100Node("gpu-a", 1, 7, 3);
  allocate(fixed, "u1", "p1", kMig1g, {migUuid("gpu-a", 0, 0)});
  ASSERT_TRUE(f.store().applyNodeReport(fixed).ok());
  EXPECT_TRUE(f.store().conflicts().empty());
  EXPECT_EQ(f.store().freeSlices("gpu-a", kMig1g), 6);
  EXPECT_TRUE(f.store().reserve(reserveRequest("new", "gpu-a", 1)).ok());
}

TEST(LedgerConflicts, OnlyTheConflictedResourceIsBlocked) {
  StoreFixture f;
  NodeReport r = a100Node("gpu-a", 1, 4);
  r.gpus[0].migDevices.push_back(MigDevice{"MIG-3g", "3g.20gb", 1, 0, Placement{4, 4}, true});
  allocate(r, "u1", "p1", kMig3g, {"MIG-3g"});
  allocate(r, "u2", "p2", kMig3g, {"MIG-3g"});
  ASSERT_TRUE(f.store().applyNodeReport(r).ok());
  EXPECT_EQ(f.store().freeSlices("gpu-a", kMig1g), 4);
  EXPECT_TRUE(f.store().reserve(reserveRequest("new", "gpu-a", 1)).ok());
}

TEST(LedgerConflicts, ComputeInstancesOfOneGpuInstanceShareItsPlacement) {
  StoreFixture f;
  NodeReport r = a100Node("gpu-a", 1, 0);
  for (int ci = 0; ci < 3; ++ci) {
    r.gpus[0].migDevices.push_back(
        MigDevice{"MIG-ci" + std::to_string(ci), "1c.3g.20gb", 2, ci, Placement{0, 4}, true});
  }
  auto outcome = f.store().applyNodeReport(r);
  ASSERT_TRUE(outcome.ok());
  EXPECT_TRUE(outcome->conflicts.empty());
}

TEST(LedgerConflicts, SameDeviceListedTwiceForOneContainerIsNotAConflict) {
  StoreFixture f;
  NodeReport r = a100Node("gpu-a");
  allocate(r, "u1", "p1", kMig1g, {migUuid("gpu-a", 0, 0), migUuid("gpu-a", 0, 0)});
  auto outcome = f.store().applyNodeReport(r);
  ASSERT_TRUE(outcome.ok());
  EXPECT_TRUE(outcome->conflicts.empty());
  EXPECT_EQ(f.store().freeSlices("gpu-a", kMig1g), 6);
}

}  // namespace
}  // namespace migwarden::ledger
