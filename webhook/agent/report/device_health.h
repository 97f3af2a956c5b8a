// DeviceHealth: the devices the agent has seen a critical XID error on. Like the NVIDIA
// device plugin, a device stays unhealthy until the agent restarts: an XID that needs a
// GPU reset is not cleared by time passing, and a flapping health flag would let the
// ledger hand a broken slice out again between two events.
//
// Thread-safety: every method is safe from any thread (the NVML event thread records,
// the report loop reads).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "webhook/agent/sources.h"

namespace migwarden::agent {

class DeviceHealth {
 public:
  // Marks the event's device unhealthy. True when it was healthy until now (a later
  // event on an already unhealthy device changes nothing in the report).
  bool record(const HealthEvent& event);

  // uuid -> the first event that made it unhealthy.
  std::map<std::string, HealthEvent> unhealthy() const;
  // Increases whenever record() returns true; lets the loop notice a change cheaply.
  uint64_t version() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, HealthEvent> unhealthy_;  // guarded by mu_
  uint64_t version_ = 0;                          // guarded by mu_
};

}  // namespace migwarden::agent
