#include "webhook/agent/report/device_health.h"

namespace migwarden::agent {

bool DeviceHealth::record(const HealthEvent& event) {
  std::lock_guard lock(mu_);
  if (!unhealthy_.emplace(event.deviceUuid, event).second) return false;
  ++version_;
  return true;
}

std::map<std::string, HealthEvent> DeviceHealth::unhealthy() const {
  std::lock_guard lock(mu_);
  return unhealthy_;
}

uint64_t DeviceHealth::version() const {
  std::lock_guard lock(mu_);
  return version_;
}

}  // namespace migwarden::agent
