// Turns what the agent read (NVML inventory, kubelet allocations, XID health) into the
// full node report the ledger API takes. A pure function of its inputs, so the report a
// node would send can be checked field by field in tests and printed by --once --dry-run.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "webhook/agent/sources.h"
#include "webhook/ledger/node_report.h"

namespace migwarden::agent {

// What stays the same from one report to the next (within one agent process).
struct NodeIdentity {
  std::string node;
  std::string bootId;
};

struct ReportInputs {
  const GpuInventory& inventory;
  const std::vector<ledger::Allocation>& allocations;
  // uuid -> the event that made it unhealthy (DeviceHealth::unhealthy()).
  const std::map<std::string, HealthEvent>& unhealthy;
  // mig-manager's state ("success", "pending", ...), "" when unknown.
  std::string migConfigState;
  // NVML reports a MIG mode change waiting for a GPU reset on some GPU.
  bool migModeChangePending = false;
};

// The migConfigState to report: "pending" while NVML has a MIG mode change waiting and
// the label says "success" or nothing (the layout is about to change whatever the label
// says), else the label ("rebooting", "failed" are more specific than "pending").
std::string effectiveMigConfigState(const std::string& labelState, bool migModeChangePending);

// Applies health: an event on a GPU uuid makes the GPU and every MIG device on it
// unhealthy; an event on a MIG uuid only that device. Events on uuids the inventory does
// not have are kept (DeviceHealth) but change nothing here.
ledger::NodeReport buildNodeReport(const NodeIdentity& identity, int64_t sequence, const ReportInputs& inputs);

// Counts for metrics and logs.
struct InventoryCounts {
  size_t gpus = 0;
  size_t migDevices = 0;
  size_t unhealthyGpus = 0;
  size_t unhealthyMigDevices = 0;
};
InventoryCounts countDevices(const ledger::NodeReport& report);

// The report as indented JSON (same fields as the wire format), for --once --dry-run.
std::string prettyNodeReport(const ledger::NodeReport& report);

}  // namespace migwarden::agent
