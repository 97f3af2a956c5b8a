#include "webhook/cmd/agent/source_wiring.h"

#include <atomic>
#include <set>

#if MIGWARDEN_AGENT_HAVE_NVML
#include "webhook/agent/nvml/nvml_health.h"
#include "webhook/agent/nvml/nvml_inventory.h"
#include "webhook/agent/nvml/nvml_library.h"
#endif
#if MIGWARDEN_AGENT_HAVE_PODRESOURCES
#include "webhook/agent/podresources/kubelet_allocation_source.h"
#endif

namespace migwarden::agentcmd {
namespace {

#if MIGWARDEN_AGENT_HAVE_NVML
// Reads the snapshot (inventory + pending MIG mode) once per poll and remembers the
// pending flag, so the loop does not read NVML twice.
class SnapshotInventory final : public agent::InventorySource {
 public:
  explicit SnapshotInventory(std::shared_ptr<const agent::nvml::NvmlLibrary> nvml) : source_(std::move(nvml)) {}
  Result<agent::GpuInventory> read() override {
    auto snap = source_.readSnapshot();
    if (!snap.ok()) return snap.status();
    pending_->store(snap->migChangePending());
    return std::move(snap->inventory);
  }
  std::shared_ptr<std::atomic<bool>> pending() const { return pending_; }

 private:
  agent::nvml::NvmlInventorySource source_;
  std::shared_ptr<std::atomic<bool>> pending_ = std::make_shared<std::atomic<bool>>(false);
};
#endif

#if !MIGWARDEN_AGENT_HAVE_PODRESOURCES
class NoKubelet final : public agent::AllocationSource {
 public:
  Result<std::vector<ledger::Allocation>> list() override {
    return Status::Unavailable("this migwarden-agent was built without pod-resources support");
  }
};
#endif

}  // namespace

agent::HardwareOpener makeNvmlOpener(const AgentConfig& config) {
#if MIGWARDEN_AGENT_HAVE_NVML
  const std::set<uint64_t> ignored(config.xidIgnore.begin(), config.xidIgnore.end());
  return [path = config.nvmlLib, ignored]() -> Result<agent::Hardware> {
    auto opened = agent::nvml::NvmlLibrary::open(path);
    if (!opened.ok()) return opened.status();
    std::shared_ptr<const agent::nvml::NvmlLibrary> nvml(std::move(*opened));
    auto inventory = std::make_unique<SnapshotInventory>(nvml);
    agent::Hardware hw;
    hw.migModeChangePending = [pending = inventory->pending()] { return pending->load(); };
    hw.inventory = std::move(inventory);
    hw.description = "NVML from " + nvml->path();
    if (nvml->hasEvents()) {
      hw.openEvents = [nvml, ignored]() -> Result<std::unique_ptr<agent::HealthEventSource>> {
        agent::nvml::NvmlHealthOptions options;
        options.ignoredXids = ignored;
        auto events = agent::nvml::NvmlHealthEvents::create(nvml, options);
        if (!events.ok()) return events.status();
        return std::unique_ptr<agent::HealthEventSource>(std::move(*events));
      };
    }
    return hw;
  };
#else
  (void)config;
  return []() -> Result<agent::Hardware> {
    return Status::Unavailable("this migwarden-agent was built without NVML support");
  };
#endif
}

std::unique_ptr<agent::AllocationSource> makeAllocationSource(const AgentConfig& config) {
#if MIGWARDEN_AGENT_HAVE_PODRESOURCES
  agent::KubeletAllocationSourceOptions options;
  options.client.socketPath = config.podResourcesSocket;
  options.checkpointPath = config.kubeletCheckpoint;
  return std::make_unique<agent::KubeletAllocationSource>(options);
#else
  (void)config;
  return std::make_unique<NoKubelet>();
#endif
}

}  // namespace migwarden::agentcmd
