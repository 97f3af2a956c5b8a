// KubeletAllocationSource: pod-resources List plus uids from the device checkpoint.
#include "webhook/agent/podresources/kubelet_allocation_source.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <chrono>

#include "tests/agent/support/fake_checkpoint.h"
#include "tests/agent/support/fake_kubelet.h"
#include "tests/support/temp_dir.h"

namespace migwarden::agent {
namespace {

using ledger::Allocation;
using testing::FakeCheckpointEntry;
using testing::FakeCheckpointFormat;
using testing::FakeKubelet;
using namespace std::chrono_literals;

class KubeletAllocationSourceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(kubelet.start().ok());
    kubelet.setAllocations(allocations);
  }

  KubeletAllocationSourceOptions options() const {
    KubeletAllocationSourceOptions o;
    o.client.socketPath = kubelet.socketPath();
    o.client.minReconnectBackoff = 10ms;
    o.client.maxReconnectBackoff = 100ms;
    o.checkpointPath = checkpointPath;
    return o;
  }

  std::vector<Allocation> withUids(std::vector<std::string> uids) const {
    std::vector<Allocation> out = allocations;
    for (size_t i = 0; i < out.size(); ++i) out[i].podUid = uids[i];
    return out;
  }

  // Already in the order list() returns.
  const std::vector<Allocation> allocations = {
      {"", "team-a", "infer", "server", "nvidia.com/mig-1g.5gb", {"MIG-1"}},
      {"", "team-a", "train", "main", "nvidia.com/mig-3g.20gb", {"MIG-3", "MIG-4"}},
      {"", "team-b", "train", "main", "nvidia.com/gpu", {"GPU-7"}},
  };
  const std::vector<FakeCheckpointEntry> checkpoint = {
      {"uid-infer", "server", "nvidia.com/mig-1g.5gb", {"MIG-1"}, 0},
      {"uid-train-a", "main", "nvidia.com/mig-3g.20gb", {"MIG-4", "MIG-3"}, 1},
      {"uid-train-b", "main", "nvidia.com/gpu", {"GPU-7"}, 0},
  };

  migwarden::testing::TempDir dir;
  FakeKubelet kubelet{dir.file("kubelet.sock")};
  std::string checkpointPath = dir.file("kubelet_internal_checkpoint");
};

TEST_F(KubeletAllocationSourceTest, FillsUidsFromTheCurrentCheckpointFormat) {
  testing::writeKubeletCheckpoint(checkpointPath, checkpoint, FakeCheckpointFormat::kCurrent);
  KubeletAllocationSource source(options());
  auto list = source.list();
  ASSERT_TRUE(list.ok()) << list.status().toString();
  EXPECT_EQ(*list, withUids({"uid-infer", "uid-train-a", "uid-train-b"}));
  EXPECT_TRUE(source.lastCheckpointStatus().ok());
}

TEST_F(KubeletAllocationSourceTest, FillsUidsFromTheV1CheckpointFormat) {
  testing::writeKubeletCheckpoint(checkpointPath, checkpoint, FakeCheckpointFormat::kV1);
  KubeletAllocationSource source(options());
  auto list = source.list();
  ASSERT_TRUE(list.ok()) << list.status().toString();
  EXPECT_EQ(*list, withUids({"uid-infer", "uid-train-a", "uid-train-b"}));
}

TEST_F(KubeletAllocationSourceTest, MissingCheckpointLeavesUidsEmptyWithoutFailing) {
  KubeletAllocationSource source(options());
  auto list = source.list();
  ASSERT_TRUE(list.ok()) << list.status().toString();
  EXPECT_EQ(*list, allocations);
  EXPECT_EQ(source.lastCheckpointStatus().code(), StatusCode::kNotFound);
}

TEST_F(KubeletAllocationSourceTest, CorruptCheckpointLeavesUidsEmptyWithoutFailing) {
  testing::writeFile(checkpointPath, R"({"Data":{"PodDeviceEntries":[{"PodUID":)");
  KubeletAllocationSource source(options());
  auto list = source.list();
  ASSERT_TRUE(list.ok()) << list.status().toString();
  EXPECT_EQ(*list, allocations);
  EXPECT_EQ(source.lastCheckpointStatus().code(), StatusCode::kInvalidArgument);
}

TEST_F(KubeletAllocationSourceTest, UnknownCheckpointFormatLeavesUidsEmptyWithoutFailing) {
  testing::writeFile(checkpointPath, R"({"Data":{"Entries":[]},"Version":"v3"})");
  KubeletAllocationSource source(options());
  auto list = source.list();
  ASSERT_TRUE(list.ok()) << list.status().toString();
  EXPECT_EQ(*list, allocations);
}

TEST_F(KubeletAllocationSourceTest, UnreadableCheckpointLeavesUidsEmptyWithoutFailing) {
  // A directory where the file should be: open() works as root too, read() fails.
  ASSERT_EQ(::mkdir(checkpointPath.c_str(), 0700), 0);
  KubeletAllocationSource source(options());
  auto list = source.list();
  ASSERT_TRUE(list.ok()) << list.status().toString();
  EXPECT_EQ(*list, allocations);
  EXPECT_EQ(source.lastCheckpointStatus().code(), StatusCode::kIOError);
}

TEST_F(KubeletAllocationSourceTest, CheckpointThatComesBackRestoresUids) {
  KubeletAllocationSource source(options());
  ASSERT_TRUE(source.list().ok());
  testing::writeKubeletCheckpoint(checkpointPath, checkpoint);
  auto list = source.list();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, withUids({"uid-infer", "uid-train-a", "uid-train-b"}));
}

TEST_F(KubeletAllocationSourceTest, PodGoneFromTheKubeletIsGoneFromTheList) {
  testing::writeKubeletCheckpoint(checkpointPath, checkpoint);
  KubeletAllocationSource source(options());
  ASSERT_TRUE(source.list().ok());
  kubelet.setAllocations({allocations[0], allocations[2]});
  auto list = source.list();
  ASSERT_TRUE(list.ok());
  const std::vector<Allocation> want = {withUids({"uid-infer", "", ""})[0], withUids({"", "", "uid-train-b"})[2]};
  EXPECT_EQ(*list, want);
}

TEST_F(KubeletAllocationSourceTest, KubeletRestartIsUnavailableThenTheSameSourceRecovers) {
  testing::writeKubeletCheckpoint(checkpointPath, checkpoint);
  KubeletAllocationSource source(options());
  ASSERT_TRUE(source.list().ok());

  kubelet.stop();
  auto down = source.list();
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable);

  ASSERT_TRUE(kubelet.start().ok());
  Result<std::vector<Allocation>> up = Status::Unavailable("not tried");
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (std::chrono::steady_clock::now() < deadline) {
    up = source.list();
    if (up.ok()) break;
    source.client().waitForConnected(1s);
  }
  ASSERT_TRUE(up.ok()) << up.status().toString();
  EXPECT_EQ(*up, withUids({"uid-infer", "uid-train-a", "uid-train-b"}));
}

TEST_F(KubeletAllocationSourceTest, EmptyCheckpointPathDisablesUidLookup) {
  testing::writeKubeletCheckpoint(checkpointPath, checkpoint);
  auto o = options();
  o.checkpointPath.clear();
  KubeletAllocationSource source(o);
  auto list = source.list();
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(*list, allocations);
}

}  // namespace
}  // namespace migwarden::agent
