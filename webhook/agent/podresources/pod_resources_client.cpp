#include "webhook/agent/podresources/pod_resources_client.h"

#include <grpcpp/grpcpp.h>

#include <algorithm>
#include <limits>
#include <map>
#include <string_view>
#include <tuple>
#include <utility>

#include "webhook/agent/podresources/api.grpc.pb.h"

namespace migwarden::agent {
namespace {

bool isNvidiaResource(std::string_view name) { return name.starts_with(kNvidiaResourcePrefix); }

void sortUnique(std::vector<std::string>& ids) {
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
}

std::string describeCall(std::string_view method, const PodResourcesClientOptions& options) {
  return std::string("kubelet pod-resources ") + std::string(method) + " on unix://" + options.socketPath;
}

// gRPC status -> migwarden Status. Everything that means "the kubelet is not there right
// now" becomes Unavailable, which the agent answers by keeping its last list and retrying.
Status toStatus(const grpc::Status& status, std::string_view method, const PodResourcesClientOptions& options) {
  const std::string where = describeCall(method, options);
  const std::string detail = status.error_message();
  switch (status.error_code()) {
    case grpc::StatusCode::OK:
      return Status::Ok();
    case grpc::StatusCode::UNAVAILABLE:
      return Status::Unavailable(where + ": kubelet unavailable (socket missing or kubelet restarting): " + detail);
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return Status::Unavailable(where + ": deadline exceeded after " + std::to_string(options.callTimeout.count()) +
                                 " ms: " + detail);
    case grpc::StatusCode::CANCELLED:
      return Status::Unavailable(where + ": cancelled: " + detail);
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return Status::ResourceExhausted(where + ": response larger than " +
                                       std::to_string(options.maxReceiveMessageBytes) + " bytes: " + detail);
    case grpc::StatusCode::UNIMPLEMENTED:
      return Status::FailedPrecondition(where + ": not implemented by this kubelet (feature gate?): " + detail);
    case grpc::StatusCode::PERMISSION_DENIED:
      return Status::PermissionDenied(where + ": " + detail);
    case grpc::StatusCode::UNAUTHENTICATED:
      return Status::Unauthenticated(where + ": " + detail);
    default:
      return Status::Internal(where + ": gRPC status " + std::to_string(static_cast<int>(status.error_code())) +
                              ": " + detail);
  }
}

std::vector<ledger::Allocation> toAllocations(const v1::ListPodResourcesResponse& response) {
  // Keyed by (namespace, pod, container, resource): the map both merges the kubelet's
  // one-entry-per-device lists and yields the order AllocationSource promises.
  using Key = std::tuple<std::string, std::string, std::string, std::string>;
  std::map<Key, std::vector<std::string>> merged;
  for (const auto& pod : response.pod_resources()) {
    for (const auto& container : pod.containers()) {
      for (const auto& devices : container.devices()) {
        if (!isNvidiaResource(devices.resource_name()) || devices.device_ids().empty()) continue;
        auto& ids = merged[Key{pod.namespace_(), pod.name(), container.name(), devices.resource_name()}];
        ids.insert(ids.end(), devices.device_ids().begin(), devices.device_ids().end());
      }
    }
  }
  std::vector<ledger::Allocation> out;
  out.reserve(merged.size());
  for (auto& [key, ids] : merged) {
    ledger::Allocation allocation;
    std::tie(allocation.ns, allocation.pod, allocation.container, allocation.resource) = key;
    sortUnique(ids);
    allocation.deviceIds = std::move(ids);
    out.push_back(std::move(allocation));
  }
  return out;
}

std::vector<AllocatableResource> toAllocatable(const v1::AllocatableResourcesResponse& response) {
  std::map<std::string, std::vector<std::string>> merged;
  for (const auto& devices : response.devices()) {
    if (!isNvidiaResource(devices.resource_name())) continue;
    auto& ids = merged[devices.resource_name()];
    ids.insert(ids.end(), devices.device_ids().begin(), devices.device_ids().end());
  }
  std::vector<AllocatableResource> out;
  out.reserve(merged.size());
  for (auto& [resource, ids] : merged) {
    sortUnique(ids);
    out.push_back(AllocatableResource{resource, std::move(ids)});
  }
  return out;
}

int toMillis(std::chrono::milliseconds d) {
  return static_cast<int>(std::clamp<int64_t>(d.count(), 1, std::numeric_limits<int>::max()));
}

}  // namespace

struct PodResourcesClient::Impl {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<v1::PodResourcesLister::Stub> stub;

  // A fresh context per call: deadline, and fail fast while the channel is reconnecting.
  std::unique_ptr<grpc::ClientContext> newContext(const PodResourcesClientOptions& options) const {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + options.callTimeout);
    context->set_wait_for_ready(false);
    return context;
  }
};

PodResourcesClient::PodResourcesClient(PodResourcesClientOptions options)
    : options_(std::move(options)), impl_(std::make_unique<Impl>()) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(
      static_cast<int>(std::min<size_t>(options_.maxReceiveMessageBytes, std::numeric_limits<int>::max())));
  // Backoff between connection attempts: initial, x1.6 per failure, capped, ±20 % jitter.
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, toMillis(options_.minReconnectBackoff));
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, toMillis(options_.maxReconnectBackoff));
  // Despite its name, gRPC uses this one as the minimum *connect timeout* of an attempt
  // (default 20 s); a connect to a local socket that takes longer than a call's deadline
  // is as good as failed.
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, toMillis(options_.callTimeout));
  // The kubelet's socket is local and unauthenticated (file permissions are the access
  // control), so the channel is insecure, as in every pod-resources consumer.
  impl_->channel = grpc::CreateCustomChannel("unix://" + options_.socketPath, grpc::InsecureChannelCredentials(), args);
  impl_->stub = v1::PodResourcesLister::NewStub(impl_->channel);
}

PodResourcesClient::~PodResourcesClient() = default;

Result<std::vector<ledger::Allocation>> PodResourcesClient::list() {
  auto context = impl_->newContext(options_);
  v1::ListPodResourcesRequest request;
  v1::ListPodResourcesResponse response;
  const grpc::Status status = impl_->stub->List(context.get(), request, &response);
  if (!status.ok()) return toStatus(status, "List", options_);
  return toAllocations(response);
}

Result<std::vector<AllocatableResource>> PodResourcesClient::allocatable() {
  auto context = impl_->newContext(options_);
  v1::AllocatableResourcesRequest request;
  v1::AllocatableResourcesResponse response;
  const grpc::Status status = impl_->stub->GetAllocatableResources(context.get(), request, &response);
  if (!status.ok()) return toStatus(status, "GetAllocatableResources", options_);
  return toAllocatable(response);
}

bool PodResourcesClient::waitForConnected(std::chrono::milliseconds timeout) {
  return impl_->channel->WaitForConnected(std::chrono::system_clock::now() + timeout);
}

}  // namespace migwarden::agent
