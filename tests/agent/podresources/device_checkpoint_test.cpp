// The kubelet device-manager checkpoint reader and the uid matching.
#include "webhook/agent/podresources/device_checkpoint.h"

#include <gtest/gtest.h>

#include "tests/agent/support/fake_checkpoint.h"
#include "tests/support/temp_dir.h"

namespace migwarden::agent {
namespace {

using ledger::Allocation;
using testing::FakeCheckpointEntry;
using testing::FakeCheckpointFormat;

// A checkpoint as written by a 1.2x-1.3x kubelet (trimmed AllocResp).
constexpr const char* kRealCurrent = R"({
  "Data": {
    "PodDeviceEntries": [
      {"PodUID": "5f3c-uid", "ContainerName": "main", "ResourceName": "nvidia.com/mig-1g.5gb",
       "DeviceIDs": {"0": ["MIG-b", "MIG-a"], "1": ["MIG-a"]}, "AllocResp": "CgA="}
    ],
    "RegisteredDevices": {"nvidia.com/mig-1g.5gb": ["MIG-a", "MIG-b", "MIG-c"]}
  },
  "Checksum": 3421394712
})";

TEST(DeviceCheckpoint, ParsesTheCurrentFormatFlatteningNumaNodes) {
  auto checkpoint = parseDeviceCheckpoint(kRealCurrent);
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().toString();
  EXPECT_EQ(checkpoint->format, CheckpointFormat::kCurrent);
  const std::vector<CheckpointEntry> want = {{"5f3c-uid", "main", "nvidia.com/mig-1g.5gb", {"MIG-a", "MIG-b"}}};
  EXPECT_EQ(checkpoint->entries, want);
}

TEST(DeviceCheckpoint, ParsesTheV1FormatWithAFlatDeviceList) {
  auto checkpoint = parseDeviceCheckpoint(testing::kubeletCheckpointJson(
      {FakeCheckpointEntry{"uid-1", "c", "nvidia.com/gpu", {"GPU-1", "GPU-0"}}}, FakeCheckpointFormat::kV1));
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().toString();
  EXPECT_EQ(checkpoint->format, CheckpointFormat::kV1);
  const std::vector<CheckpointEntry> want = {{"uid-1", "c", "nvidia.com/gpu", {"GPU-0", "GPU-1"}}};
  EXPECT_EQ(checkpoint->entries, want);
}

TEST(DeviceCheckpoint, AcceptsANodeWithoutPods) {
  auto checkpoint = parseDeviceCheckpoint(R"({"Data":{"PodDeviceEntries":null,"RegisteredDevices":{}},"Checksum":1})");
  ASSERT_TRUE(checkpoint.ok()) << checkpoint.status().toString();
  EXPECT_TRUE(checkpoint->entries.empty());
}

TEST(DeviceCheckpoint, UnknownFormatsAreErrorsNamingTheField) {
  struct Case {
    const char* json;
    const char* field;
  };
  const Case cases[] = {
      {R"({"Checksum":1})", "Data"},
      {R"({"Data":{"PodDeviceEntries":{}}})", "Data.PodDeviceEntries"},
      {R"({"Data":{"PodDeviceEntries":[{"ContainerName":"c","ResourceName":"r","DeviceIDs":[]}]}})",
       "Data.PodDeviceEntries[0].PodUID"},
      {R"({"Data":{"PodDeviceEntries":[{"PodUID":"u","ContainerName":"c","ResourceName":"r","DeviceIDs":"x"}]}})",
       "Data.PodDeviceEntries[0].DeviceIDs"},
      {R"({"Data":{"PodDeviceEntries":[{"PodUID":"u","ContainerName":"c","ResourceName":"r","DeviceIDs":{"0":[1]}}]}})",
       "Data.PodDeviceEntries[0].DeviceIDs.0[0]"},
      {R"([1,2])", "(root)"},
      {R"({"Data":)", "invalid JSON"},
  };
  for (const auto& c : cases) {
    auto checkpoint = parseDeviceCheckpoint(c.json);
    ASSERT_FALSE(checkpoint.ok()) << c.json;
    EXPECT_EQ(checkpoint.status().code(), StatusCode::kInvalidArgument);
    EXPECT_NE(checkpoint.status().message().find(c.field), std::string::npos)
        << c.json << " -> " << checkpoint.status().message();
  }
}

TEST(DeviceCheckpoint, ReadingAMissingFileIsNotFound) {
  testing::TempDir dir;
  auto checkpoint = readDeviceCheckpoint(dir.file("kubelet_internal_checkpoint"));
  ASSERT_FALSE(checkpoint.ok());
  EXPECT_EQ(checkpoint.status().code(), StatusCode::kNotFound);
}

TEST(DeviceCheckpoint, ReadingAFileAboveTheLimitIsResourceExhausted) {
  testing::TempDir dir;
  testing::writeFile(dir.file("ckpt"), std::string(5000, ' ') + R"({"Data":{}})");
  auto checkpoint = readDeviceCheckpoint(dir.file("ckpt"), 4096);
  ASSERT_FALSE(checkpoint.ok());
  EXPECT_EQ(checkpoint.status().code(), StatusCode::kResourceExhausted);
}

TEST(DeviceCheckpoint, ReadErrorsNameThePath) {
  testing::TempDir dir;
  testing::writeFile(dir.file("ckpt"), "{not json");
  auto checkpoint = readDeviceCheckpoint(dir.file("ckpt"));
  ASSERT_FALSE(checkpoint.ok());
  EXPECT_NE(checkpoint.status().message().find(dir.file("ckpt")), std::string::npos);
}

TEST(AssignPodUids, MatchesContainerResourceAndExactDeviceSet) {
  std::vector<Allocation> allocations = {
      {"", "ns", "p", "main", "nvidia.com/mig-1g.5gb", {"MIG-a", "MIG-b"}},
      {"", "ns", "p", "side", "nvidia.com/mig-1g.5gb", {"MIG-c"}},
      {"", "ns", "q", "main", "nvidia.com/gpu", {"GPU-0"}},
  };
  const std::vector<CheckpointEntry> entries = {
      {"uid-p", "main", "nvidia.com/mig-1g.5gb", {"MIG-a", "MIG-b"}},
      {"uid-p", "side", "nvidia.com/mig-1g.5gb", {"MIG-c"}},
      {"uid-q", "main", "nvidia.com/gpu", {"GPU-0", "GPU-1"}},  // different set: no match
  };
  assignPodUids(allocations, entries);
  EXPECT_EQ(allocations[0].podUid, "uid-p");
  EXPECT_EQ(allocations[1].podUid, "uid-p");
  EXPECT_EQ(allocations[2].podUid, "");
}

TEST(AssignPodUids, AmbiguousMatchesLeaveTheUidEmpty) {
  std::vector<Allocation> allocations = {{"", "ns", "p", "main", "nvidia.com/gpu", {"GPU-0"}}};
  const std::vector<CheckpointEntry> entries = {{"old-uid", "main", "nvidia.com/gpu", {"GPU-0"}},
                                                {"new-uid", "main", "nvidia.com/gpu", {"GPU-0"}}};
  assignPodUids(allocations, entries);
  EXPECT_EQ(allocations[0].podUid, "");
}

TEST(AssignPodUids, ContainerNameMustMatch) {
  std::vector<Allocation> allocations = {{"", "ns", "p", "other", "nvidia.com/gpu", {"GPU-0"}}};
  assignPodUids(allocations, {{"uid", "main", "nvidia.com/gpu", {"GPU-0"}}});
  EXPECT_EQ(allocations[0].podUid, "");
}

}  // namespace
}  // namespace migwarden::agent
