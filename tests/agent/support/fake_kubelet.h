// FakeKubelet: a real gRPC server speaking the kubelet's pod-resources API
// (v1.PodResourcesLister: List, GetAllocatableResources, Get) on a unix socket, serving
// what the test scripted. For tests of the pod-resources client and for end-to-end tests
// where the real migwarden-agent binary connects to it (pass
// `--pod-resources-socket <socketPath()>`).
//
// Typical use:
//   migwarden::testing::TempDir dir;
//   migwarden::testing::FakeKubelet kubelet(dir.file("kubelet.sock"));
//   ASSERT_TRUE(kubelet.start().ok());
//   kubelet.setPods({{"team-a", "train-0", {{"main", {{"nvidia.com/mig-1g.5gb", {"MIG-a"}}}}}}});
//   ... the agent lists ...
//   kubelet.stop();   // kubelet restart: socket gone, clients see Unavailable
//   kubelet.start();  // same path, same scripted pods; clients reconnect by themselves
//
// The scripted state (pods, allocatable devices, injected failure) survives stop()/start(),
// like a kubelet that restarts with its pods still running. Setters may be called at any
// time, from any thread, while clients are calling: each call answers from the state at
// the moment it runs.
//
// Thread-safety: every method is thread-safe. The destructor stops the server.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "webhook/common/status.h"
#include "webhook/ledger/node_report.h"

namespace migwarden::testing {

// One ContainerDevices entry (the real kubelet sends one per device, with its NUMA node).
struct FakeDevices {
  std::string resource;  // "nvidia.com/mig-1g.5gb", "example.com/foo", ...
  std::vector<std::string> deviceIds;
  std::vector<int64_t> numaNodes;  // TopologyInfo; empty = no topology
};

struct FakeContainer {
  std::string name;
  std::vector<FakeDevices> devices;
};

struct FakePod {
  std::string ns;
  std::string name;
  std::vector<FakeContainer> containers;
};

// Groups allocations by (namespace, pod, container) into pods, one FakeDevices per
// allocation; podUid is dropped (the API does not carry it). For tests that think in
// ledger terms.
std::vector<FakePod> podsFromAllocations(const std::vector<ledger::Allocation>& allocations);

// A gRPC status every call answers with instead of the scripted data.
struct FakeFailure {
  int grpcCode = 14;  // grpc::StatusCode numeric value (14 = UNAVAILABLE, 12 = UNIMPLEMENTED)
  std::string message = "injected by FakeKubelet";
};

class FakeKubelet {
 public:
  // Does not listen yet: call start(). `socketPath` is a filesystem path (at most 107
  // bytes, the unix socket limit); its directory must exist.
  explicit FakeKubelet(std::string socketPath);
  ~FakeKubelet();
  FakeKubelet(const FakeKubelet&) = delete;
  FakeKubelet& operator=(const FakeKubelet&) = delete;

  // Listens on socketPath() and serves until stop(). When it returns OK the socket exists
  // and accepts connections. FailedPrecondition when already running.
  Status start();
  // Stops serving: held calls are released (holding ends), the server shuts down and the
  // socket file is removed (what a kubelet restart looks like to a client). Idempotent.
  void stop();
  bool running() const;

  const std::string& socketPath() const { return socketPath_; }
  std::string endpoint() const { return "unix://" + socketPath_; }

  // Scripted state.
  void setPods(std::vector<FakePod> pods);
  void setAllocations(const std::vector<ledger::Allocation>& allocations) { setPods(podsFromAllocations(allocations)); }
  void setAllocatable(std::vector<FakeDevices> devices);
  // Every call fails with this status until cleared with std::nullopt.
  void setFailure(std::optional<FakeFailure> failure);

  // Holding: while held, every call blocks in the server (a hung kubelet) until
  // releaseCalls(), stop(), or the client's deadline cancels it.
  void holdCalls();
  void releaseCalls();
  // Waits until at least `n` calls are blocked by holdCalls(); false on timeout.
  bool waitForHeldCalls(size_t n, std::chrono::milliseconds timeout);

  // Calls received (answered, failed or held), counted across restarts.
  size_t listCalls() const;
  size_t allocatableCalls() const;
  size_t getCalls() const;
  // Waits until listCalls() >= n; false on timeout. For end-to-end tests: "the agent
  // has polled again since I changed the pods".
  bool waitForListCalls(size_t n, std::chrono::milliseconds timeout);

 private:
  struct State;
  class Service;

  std::string socketPath_;
  std::shared_ptr<State> state_;
  struct Server;
  std::unique_ptr<Server> server_;  // non-null while running; guarded by State::lifecycle
};

}  // namespace migwarden::testing
