// PodResourcesClient: the kubelet's pod-resources API (v1.PodResourcesLister) over its
// unix socket, reduced to what migwarden needs: which nvidia.com/* devices each container
// holds (List) and which the kubelet knows at all (GetAllocatableResources).
//
// The gRPC types stay inside the .cpp; callers see typed structs and migwarden Status.
//
// Reconnection: the client owns one gRPC channel for its lifetime. When the kubelet
// restarts, its socket disappears and comes back; the channel notices, goes to
// TRANSIENT_FAILURE and reconnects by itself with jittered exponential backoff between
// `minReconnectBackoff` and `maxReconnectBackoff` (gRPC channel arguments). Calls are made
// with wait_for_ready(false), so while the kubelet is down a call fails at once with
// Unavailable instead of queueing, and works again as soon as the channel is back; the
// caller never re-creates the client.
//
// Thread-safety: list() and allocatable() may be called from several threads at once
// (the gRPC stub is thread-safe). The client is not copyable.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "webhook/common/status.h"
#include "webhook/ledger/node_report.h"

namespace migwarden::agent {

inline constexpr const char* kDefaultPodResourcesSocket = "/var/lib/kubelet/pod-resources/kubelet.sock";
// Only device-plugin resources with this prefix are reported (GPUs and MIG devices).
inline constexpr const char* kNvidiaResourcePrefix = "nvidia.com/";

struct PodResourcesClientOptions {
  std::string socketPath = kDefaultPodResourcesSocket;  // a filesystem path, no "unix://"
  // Deadline of each call. A kubelet that accepts the connection but never answers makes
  // the call fail with Unavailable after this long rather than hang the agent.
  std::chrono::milliseconds callTimeout{5000};
  // The kubelet's own server-side cap (podresources' DefaultMaxMsgSize, 16 MiB).
  size_t maxReceiveMessageBytes = 16 * 1024 * 1024;
  // Reconnect backoff after the kubelet went away: starts at minReconnectBackoff, grows
  // x1.6 per failed attempt up to maxReconnectBackoff, ±20 % jitter (gRPC's own backoff).
  std::chrono::milliseconds minReconnectBackoff{100};
  std::chrono::milliseconds maxReconnectBackoff{10000};
};

// Devices of one resource known to the kubelet, sorted and de-duplicated.
struct AllocatableResource {
  std::string resource;  // "nvidia.com/mig-1g.5gb"
  std::vector<std::string> deviceIds;
  bool operator==(const AllocatableResource&) const = default;
};

class PodResourcesClient {
 public:
  explicit PodResourcesClient(PodResourcesClientOptions options = {});
  ~PodResourcesClient();
  PodResourcesClient(const PodResourcesClient&) = delete;
  PodResourcesClient& operator=(const PodResourcesClient&) = delete;

  // One entry per (namespace, pod, container, nvidia.com/* resource) holding devices, with
  // the device ids of that resource merged (the kubelet lists one ContainerDevices per
  // device and NUMA placement), sorted and de-duplicated. podUid is always empty: the API
  // does not carry it. The list is sorted by (namespace, pod, container, resource).
  // Errors: Unavailable (socket missing, kubelet down or restarting, deadline exceeded),
  // ResourceExhausted (response above maxReceiveMessageBytes), FailedPrecondition
  // (the kubelet does not implement the call), Internal (anything else). The message
  // names the socket.
  Result<std::vector<ledger::Allocation>> list();

  // Every nvidia.com/* resource the kubelet's device manager knows, healthy or not,
  // allocated or not (capacity, not free devices), sorted by resource. Same errors as list().
  Result<std::vector<AllocatableResource>> allocatable();

  // Blocks until the channel is connected to the kubelet or `timeout` passes (then false),
  // triggering a connection attempt if the channel is idle. It waits on gRPC's channel
  // state, not on a timer: for an agent that wants the kubelet before its first report,
  // and for tests that restart the kubelet.
  bool waitForConnected(std::chrono::milliseconds timeout);

  const PodResourcesClientOptions& options() const { return options_; }

 private:
  struct Impl;
  PodResourcesClientOptions options_;
  std::unique_ptr<Impl> impl_;
};

}  // namespace migwarden::agent
