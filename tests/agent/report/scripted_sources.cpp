#include "tests/agent/report/scripted_sources.h"

namespace migwarden::agent::testing {
namespace {

class ForwardingInventory final : public InventorySource {
 public:
  explicit ForwardingInventory(InventorySource& target) : target_(target) {}
  Result<GpuInventory> read() override { return target_.read(); }

 private:
  InventorySource& target_;
};

}  // namespace

GpuInventory a100Inventory() {
  GpuInventory inv;
  inv.driverVersion = "550.54.15";
  inv.cudaDriverVersion = "12.4";
  ledger::Gpu gpu;
  gpu.uuid = "GPU-a";
  gpu.product = "NVIDIA A100-SXM4-40GB";
  gpu.pciDeviceId = "0x20B010DE";
  gpu.computeCapability = "8.0";
  gpu.memoryMiB = 40960;
  gpu.migMode = "enabled";
  gpu.migDevices.push_back({"MIG-a1", "1g.5gb", 7, 0, {0, 1}, true});
  gpu.migDevices.push_back({"MIG-a2", "1g.5gb", 8, 0, {1, 1}, true});
  inv.gpus.push_back(gpu);
  return inv;
}

ledger::Allocation allocation(const std::string& pod, const std::string& device) {
  return ledger::Allocation{"", "ml", pod, "main", "nvidia.com/mig-1g.5gb", {device}};
}

void ScriptedEvents::push(HealthEvent e) {
  std::lock_guard lock(mu_);
  pending_.push_back(std::move(e));
  cv_.notify_all();
}

void ScriptedEvents::fail(Status s) {
  std::lock_guard lock(mu_);
  failure_ = std::move(s);
  cv_.notify_all();
}

Result<std::vector<HealthEvent>> ScriptedEvents::wait(std::chrono::milliseconds timeout) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, timeout, [this] { return !pending_.empty() || !failure_.ok(); });
  if (!failure_.ok()) {
    Status s = failure_;
    failure_ = Status::Ok();
    return s;
  }
  return std::exchange(pending_, {});
}

HardwareOpener ScriptedHardware::opener() {
  return [this]() -> Result<Hardware> {
    ++opens;
    if (!openError.ok()) return openError;
    Hardware hw;
    hw.inventory = std::make_unique<ForwardingInventory>(inventory);
    hw.migModeChangePending = [this] { return pending; };
    hw.description = "scripted NVML";
    return hw;
  };
}

}  // namespace migwarden::agent::testing
