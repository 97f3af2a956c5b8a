// KubeletAllocationSource: the AllocationSource of the real agent. Lists the nvidia.com/*
// devices held by containers through the kubelet's pod-resources API, then adds pod uids
// from the device manager's checkpoint when that file is present and understood.
//
// Failure modes:
//  - kubelet unreachable (restart, socket not mounted, deadline): list() returns
//    Unavailable; the same object recovers by itself once the kubelet is back (the gRPC
//    channel reconnects with backoff, see PodResourcesClient);
//  - checkpoint missing, unreadable, corrupt or in an unknown format: uids stay empty and
//    list() still succeeds. One warning is logged when the checkpoint turns bad (and one
//    info line when it becomes readable again), not one per call.
//
// Thread-safety: one thread at a time (AllocationSource's rule).
#pragma once

#include <string>
#include <vector>

#include "webhook/agent/podresources/device_checkpoint.h"
#include "webhook/agent/podresources/pod_resources_client.h"
#include "webhook/agent/sources.h"

namespace migwarden::agent {

struct KubeletAllocationSourceOptions {
  PodResourcesClientOptions client;
  // Empty: do not read a checkpoint (uids always empty).
  std::string checkpointPath = kDefaultDeviceCheckpointPath;
  size_t maxCheckpointBytes = kDefaultMaxCheckpointBytes;
};

class KubeletAllocationSource final : public AllocationSource {
 public:
  explicit KubeletAllocationSource(KubeletAllocationSourceOptions options = {});

  Result<std::vector<ledger::Allocation>> list() override;

  // The client, e.g. for allocatable() or a readiness probe.
  PodResourcesClient& client() { return client_; }
  // The outcome of the last checkpoint read (OK when it was read and understood), for
  // /metrics and debugging. The file is only read when List returned allocations.
  const Status& lastCheckpointStatus() const { return lastCheckpointStatus_; }

 private:
  void noteCheckpointStatus(const Status& status);

  KubeletAllocationSourceOptions options_;
  PodResourcesClient client_;
  Status lastCheckpointStatus_;
  bool checkpointWarned_ = false;
};

}  // namespace migwarden::agent
