// The real inputs of migwarden-agent: NVML through dlopen (inventory, pending MIG mode
// changes, XID events) and the kubelet's pod-resources API. When this build lacks one of
// the libraries (MIGWARDEN_MODULES), the factory still exists and reports that clearly.
#pragma once

#include <memory>

#include "webhook/agent/report/report_loop.h"
#include "webhook/agent/sources.h"
#include "webhook/cmd/agent/flags.h"

namespace migwarden::agentcmd {

// Opens --nvml-lib each time it is called (the report loop calls it again while NVML is
// missing).
agent::HardwareOpener makeNvmlOpener(const AgentConfig& config);

// The kubelet pod-resources client (--pod-resources-socket, --kubelet-checkpoint).
std::unique_ptr<agent::AllocationSource> makeAllocationSource(const AgentConfig& config);

}  // namespace migwarden::agentcmd
