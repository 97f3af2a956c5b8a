// The GPU devices a pod asks for, counted the way the kubelet's device manager hands
// them out: per resource, the larger of the biggest init container's count and the sum
// over regular containers (init containers run one at a time and their devices are
// reused). Ephemeral containers cannot have resources in Kubernetes; if one does, it is
// reported so a rule can refuse it, and not counted.
//
// Only nvidia.com/gpu and nvidia.com/mig-* are GPU resources here. A count comes from
// limits (Kubernetes requires limits for extended resources; requests, when set, must
// equal them), falling back to requests.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "webhook/admission/pod.h"
#include "webhook/common/status.h"
#include "webhook/ledger/ledger_types.h"

namespace migwarden::rules {

constexpr std::string_view kWholeGpuResource = "nvidia.com/gpu";
constexpr std::string_view kMigResourcePrefix = "nvidia.com/mig-";

bool isMigResource(std::string_view resource);
bool isGpuResource(std::string_view resource);  // nvidia.com/gpu or a MIG resource

struct ContainerGpuRequest {
  const admission::Container* container = nullptr;  // points into the Pod
  std::string resource;
  int64_t count = 0;
};

struct PodGpuRequests {
  std::vector<ContainerGpuRequest> perContainer;  // every GPU resource of every container, in pod order
  ledger::ResourceCounts podNeeds;                // what the pod holds at once (see above)
  bool empty() const { return perContainer.empty(); }
  // True when `container` requests any GPU resource.
  bool requestsGpu(const admission::Container& container) const;
};

// Errors name the container and field: fractions (`500m is not a whole number of
// devices`), negative counts, requests that differ from limits.
Result<PodGpuRequests> gpuRequests(const admission::Pod& pod);

}  // namespace migwarden::rules
