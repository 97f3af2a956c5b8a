#include "webhook/agent/nvml/nvml_inventory.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/agent/nvml/fake_nvml_fixture.h"

namespace migwarden::agent::nvml {
namespace {

using ::testing::ElementsAre;
using testing::FakeNvmlTest;
using testing::kFakeNvmlMinimal;

ledger::MigDevice mig(std::string uuid, std::string profile, int64_t gi, int64_t ci, int64_t start, int64_t size) {
  return {std::move(uuid), std::move(profile), gi, ci, {start, size}, true};
}

class NvmlInventoryTest : public FakeNvmlTest {
 protected:
  Result<NvmlSnapshot> readFixture(const std::string& name, const std::string& library = testing::kFakeNvml) {
    auto lib = load(name, library);
    if (lib == nullptr) return Status::Internal("fake did not load");
    return NvmlInventorySource(lib).readSnapshot();
  }
};

TEST_F(NvmlInventoryTest, ReadsAnA100WithMixedProfilesAndSplitComputeInstances) {
  auto snapshot = readFixture("a100_40gb_mixed.json");
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().toString();
  const GpuInventory& inv = snapshot->inventory;
  EXPECT_EQ(inv.driverVersion, "550.54.15");
  EXPECT_EQ(inv.cudaDriverVersion, "12.4");
  ASSERT_EQ(inv.gpus.size(), 2u);

  const ledger::Gpu& gpu0 = inv.gpus[0];
  EXPECT_EQ(gpu0.uuid, "GPU-a100-0000-0000-0000-000000000000");
  EXPECT_EQ(gpu0.product, "NVIDIA A100-SXM4-40GB");
  EXPECT_EQ(gpu0.pciDeviceId, "0x20B010DE");
  EXPECT_EQ(gpu0.computeCapability, "8.0");
  EXPECT_EQ(gpu0.memoryMiB, 40960);
  EXPECT_EQ(gpu0.migMode, "enabled");
  EXPECT_TRUE(gpu0.healthy);
  // Sorted by placement start.
  EXPECT_THAT(gpu0.migDevices, ElementsAre(mig("MIG-a100-0-2g", "2g.10gb", 3, 0, 0, 2),
                                           mig("MIG-a100-0-1g", "1g.5gb", 9, 0, 2, 1),
                                           mig("MIG-a100-0-1g-me", "1g.5gb+me", 10, 0, 3, 1),
                                           mig("MIG-a100-0-3g", "3g.20gb", 2, 0, 4, 4)));

  // Empty slots (1, 4, 5) are skipped; one 3g instance split into three 1c compute instances.
  EXPECT_THAT(inv.gpus[1].migDevices, ElementsAre(mig("MIG-a100-1-1g10", "1g.10gb", 4, 0, 0, 2),
                                                  mig("MIG-a100-1-1c-a", "1c.3g.20gb", 1, 0, 4, 4),
                                                  mig("MIG-a100-1-1c-b", "1c.3g.20gb", 1, 1, 4, 4),
                                                  mig("MIG-a100-1-1c-c", "1c.3g.20gb", 1, 2, 4, 4)));
  EXPECT_FALSE(snapshot->migChangePending());
}

TEST_F(NvmlInventoryTest, ReadsAnH100WithMediaExtensionAndDoubleMemoryProfiles) {
  auto snapshot = readFixture("h100_80gb.json");
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().toString();
  EXPECT_EQ(snapshot->inventory.cudaDriverVersion, "12.8");
  ASSERT_EQ(snapshot->inventory.gpus.size(), 1u);
  const ledger::Gpu& gpu = snapshot->inventory.gpus[0];
  EXPECT_EQ(gpu.pciDeviceId, "0x233010DE");
  EXPECT_EQ(gpu.computeCapability, "9.0");
  EXPECT_EQ(gpu.memoryMiB, 81559);
  EXPECT_THAT(gpu.migDevices, ElementsAre(mig("MIG-h100-1g10-me", "1g.10gb+me", 9, 0, 0, 1),
                                          mig("MIG-h100-1g10", "1g.10gb", 10, 0, 1, 1),
                                          mig("MIG-h100-1g20", "1g.20gb", 5, 0, 2, 2),
                                          mig("MIG-h100-3g40", "3g.40gb", 2, 0, 4, 4)));
}

TEST_F(NvmlInventoryTest, ReadsAnA30Layout) {
  auto snapshot = readFixture("a30_24gb.json");
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().toString();
  const ledger::Gpu& gpu = snapshot->inventory.gpus.at(0);
  EXPECT_EQ(gpu.pciDeviceId, "0x20B710DE");
  EXPECT_EQ(gpu.memoryMiB, 24576);
  EXPECT_THAT(gpu.migDevices, ElementsAre(mig("MIG-a30-2g12", "2g.12gb", 1, 0, 0, 2),
                                          mig("MIG-a30-1g6-a", "1g.6gb", 5, 0, 2, 1),
                                          mig("MIG-a30-1g6-b", "1g.6gb", 6, 0, 3, 1)));
}

TEST_F(NvmlInventoryTest, MigDisabledAndNonMigGpusAreWholeGpus) {
  auto snapshot = readFixture("mig_disabled.json");
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().toString();
  const auto& gpus = snapshot->inventory.gpus;
  ASSERT_EQ(gpus.size(), 2u);
  EXPECT_EQ(gpus[0].migMode, "disabled");
  EXPECT_TRUE(gpus[0].migDevices.empty());
  EXPECT_EQ(gpus[1].product, "Tesla T4");
  EXPECT_EQ(gpus[1].pciDeviceId, "0x1EB810DE");
  EXPECT_EQ(gpus[1].computeCapability, "7.5");
  EXPECT_EQ(gpus[1].migMode, "disabled");  // nvmlDeviceGetMigMode: NOT_SUPPORTED
  EXPECT_FALSE(snapshot->migChangePending());
}

TEST_F(NvmlInventoryTest, PendingMigChangeReportsTheCurrentModeAndFlagsTheGpu) {
  auto snapshot = readFixture("mig_pending.json");
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().toString();
  EXPECT_EQ(snapshot->inventory.gpus[0].migMode, "disabled");
  EXPECT_TRUE(snapshot->migChangePending());
  EXPECT_THAT(snapshot->migChangePendingGpus, ElementsAre("GPU-a100-pending-0000-000000000000"));
}

TEST_F(NvmlInventoryTest, AnNvmlErrorMidReadFailsTheWholeReadNamingCallAndGpu) {
  auto lib = loadJson(withMember(fixture("a100_40gb_mixed.json"), "failAt",
                                 R"({"call": "nvmlDeviceGetMemoryInfo", "nth": 2, "error": 15})"));
  ASSERT_NE(lib, nullptr);
  NvmlInventorySource source(lib);
  auto inventory = source.read();
  ASSERT_FALSE(inventory.ok());
  EXPECT_EQ(inventory.status().code(), StatusCode::kUnavailable);
  EXPECT_EQ(inventory.status().message(), "nvmlDeviceGetMemoryInfo(gpu 1): GPU is lost (NVML error 15)");
  // Only the second call failed: the next read is whole again.
  auto again = source.read();
  ASSERT_TRUE(again.ok()) << again.status().toString();
  EXPECT_EQ(again->gpus.size(), 2u);
}

TEST_F(NvmlInventoryTest, AnErrorOnAMigDeviceNamesItsSlot) {
  auto lib = loadJson(withMember(fixture("a100_40gb_mixed.json"), "failAt",
                                 R"([{"call": "nvmlGpuInstanceGetInfo", "nth": 6, "error": 999}])"));
  ASSERT_NE(lib, nullptr);
  auto inventory = NvmlInventorySource(lib).read();
  ASSERT_FALSE(inventory.ok());
  EXPECT_EQ(inventory.status().message(), "nvmlGpuInstanceGetInfo(gpu 1, mig slot 2): Unknown Error (NVML error 999)");
}

TEST_F(NvmlInventoryTest, MissingCudaDriverVersionSymbolLeavesItEmpty) {
  auto snapshot = readFixture("h100_80gb.json", kFakeNvmlMinimal);
  ASSERT_TRUE(snapshot.ok()) << snapshot.status().toString();
  EXPECT_EQ(snapshot->inventory.driverVersion, "570.86.15");
  EXPECT_EQ(snapshot->inventory.cudaDriverVersion, "");
  EXPECT_EQ(snapshot->inventory.gpus.at(0).migDevices.size(), 4u);
}

TEST_F(NvmlInventoryTest, NoCudaLibraryOnTheNodeLeavesTheCudaVersionEmpty) {
  auto lib = loadJson(withMember(fixture("mig_disabled.json"), "failAt",
                                 R"({"call": "nvmlSystemGetCudaDriverVersion_v2", "error": 12})"));
  ASSERT_NE(lib, nullptr);
  auto inventory = NvmlInventorySource(lib).read();
  ASSERT_TRUE(inventory.ok()) << inventory.status().toString();
  EXPECT_EQ(inventory->cudaDriverVersion, "");
}

TEST_F(NvmlInventoryTest, MoreGpusThanTheLimitIsAnErrorNotATruncatedReport) {
  auto lib = load("a100_40gb_mixed.json");
  ASSERT_NE(lib, nullptr);
  auto inventory = NvmlInventorySource(lib, {.maxGpus = 1}).read();
  ASSERT_FALSE(inventory.ok());
  EXPECT_EQ(inventory.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(inventory.status().message(), "nvmlDeviceGetCount_v2: 2 GPUs exceed the limit of 1");
}

TEST_F(NvmlInventoryTest, SeesANewTopologyWhenTheConfigFileIsReplaced) {
  auto lib = load("mig_pending.json");
  ASSERT_NE(lib, nullptr);
  NvmlInventorySource source(lib);
  auto before = source.read();
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->gpus.size(), 2u);
  writeConfig(fixture("h100_80gb.json"));  // e.g. the GPU was reset into MIG mode
  auto after = source.read();
  ASSERT_TRUE(after.ok()) << after.status().toString();
  ASSERT_EQ(after->gpus.size(), 1u);
  EXPECT_EQ(after->gpus[0].migDevices.size(), 4u);
}

}  // namespace
}  // namespace migwarden::agent::nvml
