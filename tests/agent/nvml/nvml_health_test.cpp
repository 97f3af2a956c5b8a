#include "webhook/agent/nvml/nvml_health.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <thread>

#include "tests/agent/nvml/fake_nvml_fixture.h"
#include "webhook/agent/nvml/nvml_inventory.h"

namespace migwarden::agent {
// For readable failure messages and ElementsAre on events.
inline bool operator==(const HealthEvent& a, const HealthEvent& b) {
  return a.deviceUuid == b.deviceUuid && a.xid == b.xid && a.reason == b.reason;
}
inline void PrintTo(const HealthEvent& e, std::ostream* os) {
  *os << "{" << e.deviceUuid << ", " << e.xid << ", " << e.reason << "}";
}
}  // namespace migwarden::agent

namespace migwarden::agent::nvml {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using testing::FakeNvmlTest;
using testing::kFakeNvmlMinimal;
using namespace std::chrono_literals;

constexpr const char* kGpu0 = "GPU-a100-0000-0000-0000-000000000000";
constexpr const char* kGpu1 = "GPU-a100-1111-1111-1111-111111111111";

class NvmlHealthTest : public FakeNvmlTest {
 protected:
  std::unique_ptr<NvmlHealthEvents> start(const std::string& events, NvmlHealthOptions options = {}) {
    auto lib = loadJson(withMember(fixture("a100_40gb_mixed.json"), "events", events));
    if (lib == nullptr) return nullptr;
    auto health = NvmlHealthEvents::create(lib, std::move(options));
    if (!health.ok()) {
      ADD_FAILURE() << health.status().toString();
      return nullptr;
    }
    return std::move(*health);
  }
};

TEST_F(NvmlHealthTest, XidOnAMigDeviceNamesThatMigDevice) {
  auto health = start(R"([{"gpu": 0, "xid": 79, "gi": 9, "ci": 0}])");
  ASSERT_NE(health, nullptr);
  auto events = health->wait(0ms);
  ASSERT_TRUE(events.ok()) << events.status().toString();
  EXPECT_THAT(*events, ElementsAre(HealthEvent{"MIG-a100-0-1g", 79,
                                               "XID 79 (critical error, GPU instance 9, compute instance 0)"}));
}

TEST_F(NvmlHealthTest, XidNotAttributableToAnInstanceNamesTheWholeGpu) {
  auto health = start(R"([{"gpu": 1, "xid": 48}])");
  ASSERT_NE(health, nullptr);
  auto events = health->wait(0ms);
  ASSERT_TRUE(events.ok()) << events.status().toString();
  EXPECT_THAT(*events, ElementsAre(HealthEvent{kGpu1, 48, "XID 48 (critical error)"}));
}

TEST_F(NvmlHealthTest, XidOnAGpuInstanceWithoutComputeInstanceNamesEveryMigDeviceInIt) {
  auto health = start(R"([{"gpu": 1, "xid": 94, "gi": 1, "ci": "0xFFFFFFFF"}])");
  ASSERT_NE(health, nullptr);
  auto events = health->wait(0ms);
  ASSERT_TRUE(events.ok()) << events.status().toString();
  ASSERT_EQ(events->size(), 3u);
  EXPECT_EQ((*events)[0].deviceUuid, "MIG-a100-1-1c-a");
  EXPECT_EQ((*events)[1].deviceUuid, "MIG-a100-1-1c-b");
  EXPECT_EQ((*events)[2].deviceUuid, "MIG-a100-1-1c-c");
}

TEST_F(NvmlHealthTest, XidOnAnInstanceThatNoLongerExistsNamesTheWholeGpu) {
  auto health = start(R"([{"gpu": 0, "xid": 79, "gi": 13, "ci": 0}])");
  ASSERT_NE(health, nullptr);
  auto events = health->wait(0ms);
  ASSERT_TRUE(events.ok()) << events.status().toString();
  ASSERT_EQ(events->size(), 1u);
  EXPECT_EQ((*events)[0].deviceUuid, kGpu0);
  EXPECT_THAT((*events)[0].reason, HasSubstr("no such MIG device: whole GPU"));
}

TEST_F(NvmlHealthTest, IgnoredXidsAreDroppedAndOthersDelivered) {
  auto health = start(R"([{"gpu": 0, "xid": 43}, {"gpu": 0, "xid": 13, "gi": 9, "ci": 0},
                          {"gpu": 1, "xid": 999}])");
  ASSERT_NE(health, nullptr);
  auto events = health->wait(0ms);
  ASSERT_TRUE(events.ok()) << events.status().toString();
  EXPECT_THAT(*events, ElementsAre(HealthEvent{kGpu1, 999, "XID 999 (critical error)"}));
}

TEST_F(NvmlHealthTest, TheIgnoreListIsConfigurable) {
  auto ignored = parseXidList("79, 48");
  ASSERT_TRUE(ignored.ok());
  auto health = start(R"([{"gpu": 0, "xid": 79}, {"gpu": 0, "xid": 43}, {"gpu": 0, "xid": 48}])",
                      {.ignoredXids = *ignored});
  ASSERT_NE(health, nullptr);
  auto events = health->wait(0ms);
  ASSERT_TRUE(events.ok());
  EXPECT_THAT(*events, ElementsAre(HealthEvent{kGpu0, 43, "XID 43 (critical error)"}));
}

TEST_F(NvmlHealthTest, TimeoutReturnsNoEvents) {
  auto health = start("[]");
  ASSERT_NE(health, nullptr);
  auto events = health->wait(1ms);
  ASSERT_TRUE(events.ok()) << events.status().toString();
  EXPECT_THAT(*events, IsEmpty());
}

TEST_F(NvmlHealthTest, EachEventIsDeliveredOnce) {
  auto health = start(R"([{"gpu": 0, "xid": 79}])");
  ASSERT_NE(health, nullptr);
  ASSERT_EQ(health->wait(0ms)->size(), 1u);
  auto again = health->wait(0ms);
  ASSERT_TRUE(again.ok());
  EXPECT_THAT(*again, IsEmpty());
}

TEST_F(NvmlHealthTest, AnEventAppendedToTheConfigFileIsDeliveredToARunningAgent) {
  auto health = start(R"([{"id": "first", "gpu": 0, "xid": 79}])");
  ASSERT_NE(health, nullptr);
  ASSERT_EQ(health->wait(0ms)->size(), 1u);
  writeConfig(withMember(fixture("a100_40gb_mixed.json"), "events",
                         R"([{"id": "first", "gpu": 0, "xid": 79}, {"id": "second", "gpu": 1, "xid": 74}])"));
  auto events = health->wait(0ms);
  ASSERT_TRUE(events.ok());
  EXPECT_THAT(*events, ElementsAre(HealthEvent{kGpu1, 74, "XID 74 (critical error)"}));
}

TEST_F(NvmlHealthTest, EccEventsAreRegisteredButDoNotChangeHealth) {
  auto health = start(R"([{"gpu": 0, "type": 2}, {"gpu": 0, "type": 1}])");
  ASSERT_NE(health, nullptr);
  auto events = health->wait(0ms);
  ASSERT_TRUE(events.ok());
  EXPECT_THAT(*events, IsEmpty());
}

TEST_F(NvmlHealthTest, AGpuWithoutCriticalEventSupportIsListedAsUnmonitored) {
  std::string json = fixture("mig_disabled.json");
  // The T4 (gpu 1) advertises only PState events (0x4).
  json.replace(json.find("\"memoryMiB\": 15360"), 18, "\"memoryMiB\": 15360, \"supportedEventTypes\": 4");
  auto lib = loadJson(withMember(json, "events", R"([{"gpu": 1, "xid": 79}])"));
  ASSERT_NE(lib, nullptr);
  auto health = NvmlHealthEvents::create(lib);
  ASSERT_TRUE(health.ok()) << health.status().toString();
  EXPECT_THAT((*health)->unmonitoredGpus(), ElementsAre("GPU-t4-0000-0000-0000-000000000000"));
  auto events = (*health)->wait(0ms);
  ASSERT_TRUE(events.ok());
  EXPECT_THAT(*events, IsEmpty());  // never registered: never delivered
}

TEST_F(NvmlHealthTest, AFailedWaitIsAnErrorNamingTheCall) {
  auto lib = loadJson(withMember(fixture("a100_40gb_mixed.json"), "failAt",
                                 R"({"call": "nvmlEventSetWait_v2", "error": 999})"));
  ASSERT_NE(lib, nullptr);
  auto health = NvmlHealthEvents::create(lib);
  ASSERT_TRUE(health.ok()) << health.status().toString();
  auto events = (*health)->wait(0ms);
  ASSERT_FALSE(events.ok());
  EXPECT_EQ(events.status().message(), "nvmlEventSetWait_v2: Unknown Error (NVML error 999)");
}

TEST_F(NvmlHealthTest, MissingEventSymbolsMakeCreateFailClearly) {
  auto lib = load("a100_40gb_mixed.json", kFakeNvmlMinimal);
  ASSERT_NE(lib, nullptr);
  auto health = NvmlHealthEvents::create(lib);
  ASSERT_FALSE(health.ok());
  EXPECT_EQ(health.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(health.status().message(), HasSubstr("NVML health events not available"));
}

TEST_F(NvmlHealthTest, InventoryAndHealthShareOneLibraryFromTwoThreads) {
  auto lib = loadJson(withMember(fixture("a100_40gb_mixed.json"), "events", R"([{"gpu": 0, "xid": 79}])"));
  ASSERT_NE(lib, nullptr);
  auto health = NvmlHealthEvents::create(lib);
  ASSERT_TRUE(health.ok()) << health.status().toString();
  size_t delivered = 0;
  std::thread waiter([&] {
    for (int i = 0; i < 20; ++i) {
      auto events = (*health)->wait(1ms);
      if (events.ok()) delivered += events->size();
    }
  });
  NvmlInventorySource inventory(lib);
  for (int i = 0; i < 20; ++i) EXPECT_TRUE(inventory.read().ok());
  waiter.join();
  EXPECT_EQ(delivered, 1u);
}

TEST(XidList, DefaultIsTheDevicePluginsList) {
  EXPECT_EQ(defaultIgnoredXids(), (std::set<uint64_t>{13, 31, 43, 45, 68, 109}));
}

TEST(XidList, ParsesCommaSeparatedNumbersAndNamesTheBadItem) {
  EXPECT_EQ(*parseXidList(" 13,31 ,43"), (std::set<uint64_t>{13, 31, 43}));
  EXPECT_TRUE(parseXidList("")->empty());
  EXPECT_EQ(parseXidList("13,,43").status().message(), "XID list item 1: empty");
  EXPECT_EQ(parseXidList("13,x").status().message(), "XID list item 1: \"x\" is not a non-negative integer");
  EXPECT_EQ(parseXidList("-1").status().message(), "XID list item 0: \"-1\" is not a non-negative integer");
}

}  // namespace
}  // namespace migwarden::agent::nvml
