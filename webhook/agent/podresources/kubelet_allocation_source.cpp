#include "webhook/agent/podresources/kubelet_allocation_source.h"

#include <spdlog/spdlog.h>

#include <utility>

namespace migwarden::agent {

KubeletAllocationSource::KubeletAllocationSource(KubeletAllocationSourceOptions options)
    : options_(std::move(options)), client_(options_.client) {}

Result<std::vector<ledger::Allocation>> KubeletAllocationSource::list() {
  auto allocations = client_.list();
  if (!allocations.ok()) return allocations.status();
  if (options_.checkpointPath.empty() || allocations->empty()) return allocations;

  // Read after List: a pod allocated between the two reads is then already in the file.
  auto checkpoint = readDeviceCheckpoint(options_.checkpointPath, options_.maxCheckpointBytes);
  noteCheckpointStatus(checkpoint.status());
  if (checkpoint.ok()) assignPodUids(*allocations, checkpoint->entries);
  // assignPodUids does not reorder, so the (namespace, pod, container, resource) order of
  // the client's list still holds.
  return allocations;
}

void KubeletAllocationSource::noteCheckpointStatus(const Status& status) {
  lastCheckpointStatus_ = status;
  if (!status.ok() && !checkpointWarned_) {
    spdlog::warn(
        "kubelet device checkpoint not usable, reporting allocations without pod uids "
        "(the ledger matches them by namespace/name): {}",
        status.toString());
    checkpointWarned_ = true;
  } else if (status.ok() && checkpointWarned_) {
    spdlog::info("kubelet device checkpoint {} readable again, pod uids restored", options_.checkpointPath);
    checkpointWarned_ = false;
  }
}

}  // namespace migwarden::agent
