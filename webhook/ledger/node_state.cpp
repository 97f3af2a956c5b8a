#include "webhook/ledger/node_state.h"

#include <algorithm>
#include <set>
#include <unordered_map>

#include "webhook/ledger/resource_names.h"

namespace migwarden::ledger {
namespace {

struct Device {
  std::string resource;
  size_t gpu = 0;
  bool healthy = true;
  bool mig = false;
  bool allocatable = true;  // a MIG-enabled GPU is not allocatable as a whole GPU
};

struct Owner {
  std::string key;
  std::string podName;  // namespace/name
  std::string container;
};

void addUnique(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

class Builder {
 public:
  explicit Builder(NodeReport report) { state_.report = std::move(report); }

  NodeState build() {
    const NodeReport& r = state_.report;
    state_.reconfiguring = isReconfiguringState(r.migConfigState);
    state_.acceptsReservations = r.migConfigState.empty() || r.migConfigState == "success";
    indexInventory();
    findOverlaps();
    for (const Allocation& a : r.allocations) addAllocation(a);
    checkWholeGpus();
    for (const Conflict& c : state_.conflicts) {
      for (const std::string& res : c.resources) state_.tallies[res].conflicted = true;
    }
    return std::move(state_);
  }

 private:
  void indexInventory() {
    const auto& gpus = state_.report.gpus;
    for (size_t g = 0; g < gpus.size(); ++g) {
      const bool wholeAllocatable = gpus[g].migMode != "enabled";
      devices_[gpus[g].uuid] =
          Device{std::string(kWholeGpuResource), g, gpus[g].healthy, false, wholeAllocatable};
      if (wholeAllocatable) {
        Tally& t = state_.tallies[std::string(kWholeGpuResource)];
        ++t.total;
        if (gpus[g].healthy) ++t.healthy;
      }
      for (const MigDevice& d : gpus[g].migDevices) {
        Device dev{resourceForProfile(d.profile), g, d.healthy, true, true};
        Tally& t = state_.tallies[dev.resource];
        ++t.total;
        if (d.healthy) ++t.healthy;
        devices_[d.uuid] = std::move(dev);
      }
    }
  }

  // GPU instances are the unit of placement: compute instances of one GI (same giId)
  // legitimately share its placement.
  void findOverlaps() {
    for (const Gpu& gpu : state_.report.gpus) {
      const auto& ds = gpu.migDevices;
      for (size_t i = 0; i < ds.size(); ++i) {
        for (size_t j = i + 1; j < ds.size(); ++j) {
          if (ds[i].giId == ds[j].giId) continue;
          const Placement& a = ds[i].placement;
          const Placement& b = ds[j].placement;
          if (a.start < b.start + b.size && b.start < a.start + a.size) {
            Conflict c{ConflictKind::kOverlappingPlacement, state_.report.node, {}, {ds[i].uuid, ds[j].uuid}, {}, ""};
            addUnique(c.resources, resourceForProfile(ds[i].profile));
            addUnique(c.resources, resourceForProfile(ds[j].profile));
            c.message = "GPU " + gpu.uuid + ": placements of " + ds[i].uuid + " (" + ds[i].profile + " at " +
                        std::to_string(a.start) + "+" + std::to_string(a.size) + ") and " + ds[j].uuid + " (" +
                        ds[j].profile + " at " + std::to_string(b.start) + "+" + std::to_string(b.size) +
                        ") overlap";
            state_.conflicts.push_back(std::move(c));
          }
        }
      }
    }
  }

  void addAllocation(const Allocation& a) {
    const std::string key = podKey(a.podUid, a.ns, a.pod);
    const std::string podName = a.ns + "/" + a.pod;
    BoundPod& bp = state_.bound[key];
    bp.podUid = a.podUid;
    bp.ns = a.ns;
    bp.name = a.pod;
    for (const std::string& id : a.deviceIds) {
      auto dev = devices_.find(id);
      if (dev == devices_.end() || dev->second.resource != a.resource) {
        state_.conflicts.push_back(Conflict{ConflictKind::kBoundMoreThanExists, state_.report.node, {a.resource}, {id},
                                            {podName},
                                            "pod " + podName + " is allocated " + a.resource + " device " + id +
                                                ", which the node's inventory does not list as " + a.resource});
        continue;
      }
      auto [owner, inserted] = owners_.try_emplace(id, Owner{key, podName, a.container});
      if (!inserted) {
        if (owner->second.key != key || owner->second.container != a.container) {
          state_.conflicts.push_back(Conflict{
              ConflictKind::kDeviceInTwoPods, state_.report.node, {a.resource}, {id},
              {owner->second.podName, podName},
              "device " + id + " is allocated to " + owner->second.podName + " (container " +
                  owner->second.container + ") and to " + podName + " (container " + a.container + ")"});
        }
        continue;
      }
      ++bp.devices[a.resource];
      const Device& d = dev->second;
      if (d.mig) {
        migAllocated_[d.gpu].push_back(id);
      } else {
        wholeAllocated_[d.gpu] = podName;
      }
      if (!d.allocatable) continue;  // reported by checkWholeGpus()
      Tally& t = state_.tallies[d.resource];
      ++t.bound;
      if (d.healthy) ++t.boundHealthy;
    }
  }

  void checkWholeGpus() {
    const auto& gpus = state_.report.gpus;
    for (const auto& [g, podName] : wholeAllocated_) {
      auto mig = migAllocated_.find(g);
      if (mig != migAllocated_.end()) {
        Conflict c{ConflictKind::kWholeGpuAndMigDevice, state_.report.node, {std::string(kWholeGpuResource)},
                   {gpus[g].uuid}, {podName}, ""};
        for (const std::string& id : mig->second) {
          c.devices.push_back(id);
          addUnique(c.resources, devices_[id].resource);
          addUnique(c.pods, owners_[id].podName);
        }
        c.message = "GPU " + gpus[g].uuid + " is allocated whole to " + podName + " while " +
                    std::to_string(mig->second.size()) + " of its MIG devices are allocated";
        state_.conflicts.push_back(std::move(c));
      } else if (gpus[g].migMode == "enabled") {
        state_.conflicts.push_back(Conflict{
            ConflictKind::kBoundMoreThanExists, state_.report.node, {std::string(kWholeGpuResource)},
            {gpus[g].uuid}, {podName},
            "GPU " + gpus[g].uuid + " has MIG enabled, yet " + podName + " is allocated it as a whole GPU"});
      }
    }
  }

  NodeState state_;
  std::unordered_map<std::string, Device> devices_;
  std::unordered_map<std::string, Owner> owners_;
  std::map<size_t, std::string> wholeAllocated_;
  std::map<size_t, std::vector<std::string>> migAllocated_;
};

}  // namespace

std::string podKey(const std::string& uid, const std::string& ns, const std::string& name) {
  return uid.empty() ? ns + "/" + name : uid;
}

bool isReconfiguringState(const std::string& s) { return s == "pending" || s == "rebooting"; }

NodeState buildNodeState(NodeReport report) { return Builder(std::move(report)).build(); }

std::string_view conflictKindName(ConflictKind kind) {
  switch (kind) {
    case ConflictKind::kDeviceInTwoPods: return "device_in_two_pods";
    case ConflictKind::kWholeGpuAndMigDevice: return "whole_gpu_and_mig_device";
    case ConflictKind::kOverlappingPlacement: return "overlapping_placement";
    case ConflictKind::kBoundMoreThanExists: return "bound_more_than_exists";
  }
  return "unknown";
}

}  // namespace migwarden::ledger
