// The node report the agent builds: every field from its inputs, health applied the way
// the device plugin does, and a format the ledger's own decoder accepts.
#include <gtest/gtest.h>

#include "tests/agent/report/scripted_sources.h"
#include "webhook/agent/report/report_builder.h"

namespace migwarden::agent {
namespace {

using testing::a100Inventory;
using testing::allocation;

ledger::NodeReport build(const GpuInventory& inv, const std::map<std::string, HealthEvent>& unhealthy,
                         std::string label = "success", bool pending = false) {
  std::vector<ledger::Allocation> allocs{allocation("train-0", "MIG-a1")};
  return buildNodeReport({"gpu-a", "boot-1"}, 42, {inv, allocs, unhealthy, std::move(label), pending});
}

TEST(ReportBuilder, CopiesIdentityInventoryAndAllocations) {
  const auto report = build(a100Inventory(), {});
  EXPECT_EQ(report.node, "gpu-a");
  EXPECT_EQ(report.sequence, 42);
  EXPECT_EQ(report.bootId, "boot-1");
  EXPECT_EQ(report.driverVersion, "550.54.15");
  EXPECT_EQ(report.cudaDriverVersion, "12.4");
  EXPECT_EQ(report.migConfigState, "success");
  EXPECT_EQ(report.gpus, a100Inventory().gpus);
  ASSERT_EQ(report.allocations.size(), 1u);
  EXPECT_EQ(report.allocations[0].deviceIds[0], "MIG-a1");
}

TEST(ReportBuilder, AnXidOnAGpuMarksTheGpuAndEveryMigDeviceOnItUnhealthy) {
  const auto report = build(a100Inventory(), {{"GPU-a", HealthEvent{"GPU-a", 79, "XID 79"}}});
  EXPECT_FALSE(report.gpus[0].healthy);
  for (const auto& mig : report.gpus[0].migDevices) EXPECT_FALSE(mig.healthy) << mig.uuid;
}

TEST(ReportBuilder, AnXidOnAMigDeviceMarksOnlyThatDevice) {
  const auto report = build(a100Inventory(), {{"MIG-a2", HealthEvent{"MIG-a2", 94, "XID 94"}}});
  EXPECT_TRUE(report.gpus[0].healthy);
  EXPECT_TRUE(report.gpus[0].migDevices[0].healthy);
  EXPECT_FALSE(report.gpus[0].migDevices[1].healthy);
  EXPECT_EQ(countDevices(report).unhealthyMigDevices, 1u);
}

TEST(ReportBuilder, EventsOnDevicesTheInventoryDoesNotHaveChangeNothing) {
  const auto report = build(a100Inventory(), {{"MIG-gone", HealthEvent{"MIG-gone", 79, "XID 79"}}});
  EXPECT_EQ(report.gpus, a100Inventory().gpus);
}

TEST(ReportBuilder, APendingMigModeChangeReportsPendingUnlessTheLabelSaysMore) {
  EXPECT_EQ(build(a100Inventory(), {}, "success", true).migConfigState, "pending");
  EXPECT_EQ(build(a100Inventory(), {}, "", true).migConfigState, "pending");
  EXPECT_EQ(build(a100Inventory(), {}, "rebooting", true).migConfigState, "rebooting");
  EXPECT_EQ(build(a100Inventory(), {}, "failed", true).migConfigState, "failed");
  EXPECT_EQ(build(a100Inventory(), {}, "", false).migConfigState, "");
}

TEST(ReportBuilder, TheLedgersDecoderReadsBackTheSameReportCompactOrPretty) {
  const auto report = build(a100Inventory(), {{"MIG-a2", HealthEvent{"MIG-a2", 94, "XID 94"}}});
  auto compact = ledger::parseNodeReport(ledger::encodeNodeReport(report));
  ASSERT_TRUE(compact.ok()) << compact.status().message();
  EXPECT_EQ(*compact, report);
  auto pretty = ledger::parseNodeReport(prettyNodeReport(report));
  ASSERT_TRUE(pretty.ok()) << pretty.status().message();
  EXPECT_EQ(*pretty, report);
}

TEST(DeviceHealth, ADeviceStaysUnhealthyAndOnlyItsFirstEventCounts) {
  DeviceHealth health;
  EXPECT_TRUE(health.record({"MIG-a1", 79, "first"}));
  EXPECT_FALSE(health.record({"MIG-a1", 94, "second"}));
  EXPECT_EQ(health.version(), 1u);
  EXPECT_EQ(health.unhealthy().at("MIG-a1").reason, "first");
}

}  // namespace
}  // namespace migwarden::agent
