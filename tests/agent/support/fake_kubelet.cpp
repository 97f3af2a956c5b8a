#include "tests/agent/support/fake_kubelet.h"

#include <grpcpp/grpcpp.h>
#include <sys/un.h>
#include <unistd.h>

#include <condition_variable>
#include <map>
#include <mutex>
#include <tuple>
#include <utility>

#include "webhook/agent/podresources/api.grpc.pb.h"

namespace migwarden::testing {

struct FakeKubelet::State {
  mutable std::mutex mutex;
  std::condition_variable changed;
  std::vector<FakePod> pods;
  std::vector<FakeDevices> allocatable;
  std::optional<FakeFailure> failure;
  bool hold = false;
  size_t held = 0;
  size_t listCalls = 0;
  size_t allocatableCalls = 0;
  size_t getCalls = 0;

  std::mutex lifecycle;  // serializes start()/stop(); never taken by handlers
};

namespace {

void fillDevices(const FakeDevices& in, v1::ContainerDevices* out) {
  out->set_resource_name(in.resource);
  for (const auto& id : in.deviceIds) out->add_device_ids(id);
  if (!in.numaNodes.empty()) {
    for (int64_t node : in.numaNodes) out->mutable_topology()->add_nodes()->set_id(node);
  }
}

void fillPod(const FakePod& in, v1::PodResources* out) {
  out->set_name(in.name);
  out->set_namespace_(in.ns);
  for (const auto& container : in.containers) {
    auto* c = out->add_containers();
    c->set_name(container.name);
    for (const auto& devices : container.devices) fillDevices(devices, c->add_devices());
  }
}

}  // namespace

class FakeKubelet::Service final : public v1::PodResourcesLister::Service {
 public:
  explicit Service(std::shared_ptr<State> state) : state_(std::move(state)) {}

  grpc::Status List(grpc::ServerContext* context, const v1::ListPodResourcesRequest*,
                    v1::ListPodResourcesResponse* response) override {
    std::unique_lock lock(state_->mutex);
    ++state_->listCalls;
    state_->changed.notify_all();
    if (auto status = admit(context, lock); !status.ok()) return status;
    for (const auto& pod : state_->pods) fillPod(pod, response->add_pod_resources());
    return grpc::Status::OK;
  }

  grpc::Status GetAllocatableResources(grpc::ServerContext* context, const v1::AllocatableResourcesRequest*,
                                       v1::AllocatableResourcesResponse* response) override {
    std::unique_lock lock(state_->mutex);
    ++state_->allocatableCalls;
    state_->changed.notify_all();
    if (auto status = admit(context, lock); !status.ok()) return status;
    for (const auto& devices : state_->allocatable) fillDevices(devices, response->add_devices());
    return grpc::Status::OK;
  }

  grpc::Status Get(grpc::ServerContext* context, const v1::GetPodResourcesRequest* request,
                   v1::GetPodResourcesResponse* response) override {
    std::unique_lock lock(state_->mutex);
    ++state_->getCalls;
    state_->changed.notify_all();
    if (auto status = admit(context, lock); !status.ok()) return status;
    for (const auto& pod : state_->pods) {
      if (pod.ns == request->pod_namespace() && pod.name == request->pod_name()) {
        fillPod(pod, response->mutable_pod_resources());
        return grpc::Status::OK;
      }
    }
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "pod " + request->pod_namespace() + "/" + request->pod_name() + " not found");
  }

 private:
  // Blocks while calls are held, then answers with the injected failure if any.
  grpc::Status admit(grpc::ServerContext* context, std::unique_lock<std::mutex>& lock) {
    if (state_->hold) {
      ++state_->held;
      state_->changed.notify_all();
      // The client's deadline cancels the call without touching our condition variable,
      // hence the bounded waits re-checking IsCancelled().
      while (state_->hold && !context->IsCancelled()) {
        state_->changed.wait_for(lock, std::chrono::milliseconds(20));
      }
      --state_->held;
      if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "held call cancelled");
    }
    if (state_->failure) {
      return grpc::Status(static_cast<grpc::StatusCode>(state_->failure->grpcCode), state_->failure->message);
    }
    return grpc::Status::OK;
  }

  std::shared_ptr<State> state_;
};

// A fresh Service per start(): a gRPC service object belongs to one server.
struct FakeKubelet::Server {
  std::unique_ptr<Service> service;  // declared first: must outlive the server
  std::unique_ptr<grpc::Server> server;
};

std::vector<FakePod> podsFromAllocations(const std::vector<ledger::Allocation>& allocations) {
  std::map<std::pair<std::string, std::string>, std::map<std::string, std::vector<FakeDevices>>> grouped;
  for (const auto& a : allocations) {
    grouped[{a.ns, a.pod}][a.container].push_back(FakeDevices{a.resource, a.deviceIds, {}});
  }
  std::vector<FakePod> pods;
  for (auto& [key, containers] : grouped) {
    FakePod pod{key.first, key.second, {}};
    for (auto& [name, devices] : containers) pod.containers.push_back(FakeContainer{name, std::move(devices)});
    pods.push_back(std::move(pod));
  }
  return pods;
}

FakeKubelet::FakeKubelet(std::string socketPath)
    : socketPath_(std::move(socketPath)),
      state_(std::make_shared<State>()) {}

FakeKubelet::~FakeKubelet() { stop(); }

Status FakeKubelet::start() {
  std::lock_guard lifecycle(state_->lifecycle);
  if (server_) return Status::FailedPrecondition("FakeKubelet already running on " + socketPath_);
  if (socketPath_.size() >= sizeof(sockaddr_un{}.sun_path)) {
    return Status::InvalidArgument("FakeKubelet socket path too long for a unix socket: " + socketPath_);
  }
  ::unlink(socketPath_.c_str());  // a stale socket from a previous run
  auto running = std::make_unique<Server>();
  running->service = std::make_unique<Service>(state_);
  grpc::ServerBuilder builder;
  builder.AddListeningPort("unix:" + socketPath_, grpc::InsecureServerCredentials());
  builder.RegisterService(running->service.get());
  running->server = builder.BuildAndStart();
  if (!running->server) return Status::Unavailable("FakeKubelet could not listen on unix:" + socketPath_);
  server_ = std::move(running);
  return Status::Ok();
}

void FakeKubelet::stop() {
  std::lock_guard lifecycle(state_->lifecycle);
  if (!server_) return;
  {
    std::lock_guard lock(state_->mutex);
    // Held handlers return so Shutdown does not wait on them; a restarted kubelet is not hung.
    state_->hold = false;
    state_->changed.notify_all();
  }
  // In-flight calls get a moment to finish, then are cancelled.
  server_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
  server_->server->Wait();
  server_.reset();
  ::unlink(socketPath_.c_str());
}

bool FakeKubelet::running() const {
  std::lock_guard lifecycle(state_->lifecycle);
  return server_ != nullptr;
}

void FakeKubelet::setPods(std::vector<FakePod> pods) {
  std::lock_guard lock(state_->mutex);
  state_->pods = std::move(pods);
}

void FakeKubelet::setAllocatable(std::vector<FakeDevices> devices) {
  std::lock_guard lock(state_->mutex);
  state_->allocatable = std::move(devices);
}

void FakeKubelet::setFailure(std::optional<FakeFailure> failure) {
  std::lock_guard lock(state_->mutex);
  state_->failure = std::move(failure);
}

void FakeKubelet::holdCalls() {
  std::lock_guard lock(state_->mutex);
  state_->hold = true;
}

void FakeKubelet::releaseCalls() {
  std::lock_guard lock(state_->mutex);
  state_->hold = false;
  state_->changed.notify_all();
}

bool FakeKubelet::waitForHeldCalls(size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mutex);
  return state_->changed.wait_for(lock, timeout, [&] { return state_->held >= n; });
}

size_t FakeKubelet::listCalls() const {
  std::lock_guard lock(state_->mutex);
  return state_->listCalls;
}

size_t FakeKubelet::allocatableCalls() const {
  std::lock_guard lock(state_->mutex);
  return state_->allocatableCalls;
}

size_t FakeKubelet::getCalls() const {
  std::lock_guard lock(state_->mutex);
  return state_->getCalls;
}

bool FakeKubelet::waitForListCalls(size_t n, std::chrono::milliseconds timeout) {
  std::unique_lock lock(state_->mutex);
  return state_->changed.wait_for(lock, timeout, [&] { return state_->listCalls >= n; });
}

}  // namespace migwarden::testing
