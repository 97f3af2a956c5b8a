// PodResourcesClient against a real gRPC server (FakeKubelet) on a unix socket.
#include "webhook/agent/podresources/pod_resources_client.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <thread>

#include "tests/agent/support/fake_kubelet.h"
#include "tests/support/temp_dir.h"

namespace migwarden::agent {
namespace {

using ledger::Allocation;
using testing::FakeContainer;
using testing::FakeDevices;
using testing::FakeKubelet;
using testing::FakePod;
using namespace std::chrono_literals;

constexpr auto kWait = 20s;  // bound of every wait; never reached when things work

PodResourcesClientOptions fastOptions(const std::string& socketPath) {
  PodResourcesClientOptions options;
  options.socketPath = socketPath;
  options.minReconnectBackoff = 10ms;
  options.maxReconnectBackoff = 100ms;
  return options;
}

class PodResourcesClientTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(kubelet.start().ok()); }

  migwarden::testing::TempDir dir;
  FakeKubelet kubelet{dir.file("kubelet.sock")};
  PodResourcesClient client{fastOptions(kubelet.socketPath())};
};

TEST_F(PodResourcesClientTest, ListKeepsOnlyNvidiaResources) {
  kubelet.setPods({FakePod{"team-a", "train-0",
                           {FakeContainer{"main",
                                          {FakeDevices{"nvidia.com/mig-1g.5gb", {"MIG-a"}, {0}},
                                           FakeDevices{"example.com/fpga", {"fpga-0"}, {}},
                                           FakeDevices{"nvidia.company.io/x", {"x-0"}, {}}}}}},
                   FakePod{"team-a", "web", {FakeContainer{"nginx", {FakeDevices{"hugepages-2Mi", {"h"}, {}}}}}}});
  auto list = client.list();
  ASSERT_TRUE(list.ok()) << list.status().toString();
  const std::vector<Allocation> want = {{"", "team-a", "train-0", "main", "nvidia.com/mig-1g.5gb", {"MIG-a"}}};
  EXPECT_EQ(*list, want);
  EXPECT_EQ(kubelet.listCalls(), 1u);
}

TEST_F(PodResourcesClientTest, ListMergesOneEntryPerDeviceIntoOneAllocationPerResource) {
  // The kubelet sends one ContainerDevices per device (with its NUMA node).
  kubelet.setPods({FakePod{"ns", "p",
                           {FakeContainer{"c",
                                          {FakeDevices{"nvidia.com/gpu", {"GPU-2"}, {1}},
                                           FakeDevices{"nvidia.com/gpu", {"GPU-1"}, {0}},
                                           FakeDevices{"nvidia.com/gpu", {"GPU-1"}, {1}}}}}}});
  auto list = client.list();
  ASSERT_TRUE(list.ok()) << list.status().toString();
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ((*list)[0].deviceIds, (std::vector<std::string>{"GPU-1", "GPU-2"}));
}

TEST_F(PodResourcesClientTest, ListCoversSeveralContainersAndResourcesSortedByNamespacePodContainerResource) {
  kubelet.setPods({
      FakePod{"zeta", "a", {FakeContainer{"c", {FakeDevices{"nvidia.com/gpu", {"GPU-9"}, {}}}}}},
      FakePod{"alpha", "worker",
              {FakeContainer{"sidecar", {FakeDevices{"nvidia.com/mig-1g.5gb", {"MIG-s"}, {}}}},
               FakeContainer{"main",
                             {FakeDevices{"nvidia.com/mig-3g.20gb", {"MIG-m3"}, {}},
                              FakeDevices{"nvidia.com/mig-1g.5gb", {"MIG-m1b", "MIG-m1a"}, {}}}},
               FakeContainer{"init-no-devices", {}}}},
      FakePod{"alpha", "bench", {FakeContainer{"main", {FakeDevices{"nvidia.com/gpu", {"GPU-0"}, {}}}}}},
  });
  auto list = client.list();
  ASSERT_TRUE(list.ok()) << list.status().toString();
  const std::vector<Allocation> want = {
      {"", "alpha", "bench", "main", "nvidia.com/gpu", {"GPU-0"}},
      {"", "alpha", "worker", "main", "nvidia.com/mig-1g.5gb", {"MIG-m1a", "MIG-m1b"}},
      {"", "alpha", "worker", "main", "nvidia.com/mig-3g.20gb", {"MIG-m3"}},
      {"", "alpha", "worker", "sidecar", "nvidia.com/mig-1g.5gb", {"MIG-s"}},
      {"", "zeta", "a", "c", "nvidia.com/gpu", {"GPU-9"}},
  };
  EXPECT_EQ(*list, want);
}

TEST_F(PodResourcesClientTest, ListIsStableWhenNothingChangedEvenIfTheKubeletReordersIt) {
  FakePod a{"ns", "a", {FakeContainer{"c", {FakeDevices{"nvidia.com/gpu", {"GPU-1", "GPU-0"}, {}}}}}};
  FakePod b{"ns", "b", {FakeContainer{"c", {FakeDevices{"nvidia.com/gpu", {"GPU-2"}, {}}}}}};
  kubelet.setPods({a, b});
  auto first = client.list();
  kubelet.setPods({b, FakePod{"ns", "a", {FakeContainer{"c", {FakeDevices{"nvidia.com/gpu", {"GPU-0", "GPU-1"}, {}}}}}}});
  auto second = client.list();
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*first, *second);
}

TEST_F(PodResourcesClientTest, PodsComingAndGoingShowUpInTheNextList) {
  auto empty = client.list();
  ASSERT_TRUE(empty.ok()) << empty.status().toString();
  EXPECT_TRUE(empty->empty());

  kubelet.setPods({FakePod{"ns", "p1", {FakeContainer{"c", {FakeDevices{"nvidia.com/mig-1g.5gb", {"MIG-1"}, {}}}}}}});
  auto one = client.list();
  ASSERT_TRUE(one.ok());
  ASSERT_EQ(one->size(), 1u);
  EXPECT_EQ((*one)[0].pod, "p1");

  kubelet.setPods({FakePod{"ns", "p2", {FakeContainer{"c", {FakeDevices{"nvidia.com/mig-1g.5gb", {"MIG-1"}, {}}}}}}});
  auto replaced = client.list();
  ASSERT_TRUE(replaced.ok());
  ASSERT_EQ(replaced->size(), 1u);
  EXPECT_EQ((*replaced)[0].pod, "p2");

  kubelet.setPods({});
  auto gone = client.list();
  ASSERT_TRUE(gone.ok());
  EXPECT_TRUE(gone->empty());
  EXPECT_EQ(kubelet.listCalls(), 4u);
}

TEST_F(PodResourcesClientTest, AllocatableListsNvidiaResourcesMergedAndSorted) {
  kubelet.setAllocatable({FakeDevices{"nvidia.com/mig-1g.5gb", {"MIG-2"}, {0}},
                          FakeDevices{"cpu-ish.example/foo", {"f"}, {}},
                          FakeDevices{"nvidia.com/gpu", {"GPU-0"}, {0}},
                          FakeDevices{"nvidia.com/mig-1g.5gb", {"MIG-1"}, {0}}});
  auto allocatable = client.allocatable();
  ASSERT_TRUE(allocatable.ok()) << allocatable.status().toString();
  const std::vector<AllocatableResource> want = {{"nvidia.com/gpu", {"GPU-0"}},
                                                 {"nvidia.com/mig-1g.5gb", {"MIG-1", "MIG-2"}}};
  EXPECT_EQ(*allocatable, want);
  EXPECT_EQ(kubelet.allocatableCalls(), 1u);
}

TEST_F(PodResourcesClientTest, MissingSocketIsUnavailableAndNamesTheSocket) {
  kubelet.stop();
  PodResourcesClient other(fastOptions(dir.file("nothing-here.sock")));
  auto list = other.list();
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(list.status().message().find(dir.file("nothing-here.sock")), std::string::npos) << list.status().message();
}

TEST_F(PodResourcesClientTest, KubeletRestartIsUnavailableThenRecoversWithoutANewClient) {
  kubelet.setPods({FakePod{"ns", "p", {FakeContainer{"c", {FakeDevices{"nvidia.com/gpu", {"GPU-0"}, {}}}}}}});
  ASSERT_TRUE(client.list().ok());

  kubelet.stop();
  auto down = client.list();
  ASSERT_FALSE(down.ok());
  EXPECT_EQ(down.status().code(), StatusCode::kUnavailable) << down.status().toString();
  EXPECT_NE(down.status().message().find(kubelet.socketPath()), std::string::npos);

  ASSERT_TRUE(kubelet.start().ok());
  // The agent simply calls list() again later; here we wait on the channel's state
  // instead of a timer between attempts.
  Result<std::vector<Allocation>> up = Status::Unavailable("not tried");
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (std::chrono::steady_clock::now() < deadline) {
    up = client.list();
    if (up.ok()) break;
    client.waitForConnected(1s);
  }
  ASSERT_TRUE(up.ok()) << up.status().toString();
  ASSERT_EQ(up->size(), 1u);
  EXPECT_EQ((*up)[0].deviceIds, std::vector<std::string>{"GPU-0"});
}

TEST_F(PodResourcesClientTest, KubeletRestartRecoversThroughGrpcReconnectAlone) {
  // What the agent does: nothing but call list() again. The channel's own backoff
  // (10-100 ms here) brings it back; no waitForConnected() nudging it.
  kubelet.stop();
  ASSERT_FALSE(client.list().ok());
  ASSERT_TRUE(kubelet.start().ok());
  Result<std::vector<Allocation>> up = Status::Unavailable("not tried");
  const auto deadline = std::chrono::steady_clock::now() + kWait;
  while (!up.ok() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::yield();
    up = client.list();
  }
  EXPECT_TRUE(up.ok()) << up.status().toString();
}

TEST_F(PodResourcesClientTest, HungKubeletHitsTheDeadlineInsteadOfHanging) {
  auto options = fastOptions(kubelet.socketPath());
  options.callTimeout = 200ms;
  PodResourcesClient impatient(options);
  kubelet.holdCalls();
  auto call = std::async(std::launch::async, [&] { return impatient.list(); });
  ASSERT_TRUE(kubelet.waitForHeldCalls(1, kWait));
  ASSERT_EQ(call.wait_for(kWait), std::future_status::ready) << "list() did not honour its deadline";
  auto result = call.get();
  kubelet.releaseCalls();
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable);
  EXPECT_NE(result.status().message().find("deadline exceeded"), std::string::npos) << result.status().message();

  // Released, the same client works again.
  EXPECT_TRUE(impatient.list().ok());
}

TEST_F(PodResourcesClientTest, UnimplementedCallIsFailedPrecondition) {
  kubelet.setFailure(testing::FakeFailure{12, "GetAllocatableResources disabled"});
  auto allocatable = client.allocatable();
  ASSERT_FALSE(allocatable.ok());
  EXPECT_EQ(allocatable.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(allocatable.status().message().find("GetAllocatableResources"), std::string::npos);
}

TEST_F(PodResourcesClientTest, ResponseAboveTheSizeCapIsResourceExhausted) {
  auto options = fastOptions(kubelet.socketPath());
  options.maxReceiveMessageBytes = 1024;
  PodResourcesClient small(options);
  std::vector<std::string> ids;
  for (int i = 0; i < 200; ++i) ids.push_back("MIG-" + std::to_string(i) + "-aaaaaaaaaaaaaaaa");
  kubelet.setPods({FakePod{"ns", "big", {FakeContainer{"c", {FakeDevices{"nvidia.com/mig-1g.5gb", ids, {}}}}}}});
  auto list = small.list();
  ASSERT_FALSE(list.ok());
  EXPECT_EQ(list.status().code(), StatusCode::kResourceExhausted) << list.status().toString();
}

}  // namespace
}  // namespace migwarden::agent
