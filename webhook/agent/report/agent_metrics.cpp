#include "webhook/agent/report/agent_metrics.h"

namespace migwarden::agent {
namespace {

constexpr std::string_view kFailures = "migwarden_agent_report_failures_total";
constexpr std::string_view kFailuresHelp = "Report pushes that were not accepted, by reason.";

}  // namespace

AgentMetrics::AgentMetrics(MetricsRegistry& r)
    : registry(r),
      reportsSent(r.counter("migwarden_agent_reports_sent_total", "Node reports the ledger accepted.")),
      lastSuccessSeconds(r.gauge("migwarden_agent_last_success_timestamp_seconds",
                                 "Unix time of the last report the ledger accepted (0: none yet).")),
      gpus(r.gauge("migwarden_agent_gpus", "GPUs in the last NVML inventory.")),
      migDevices(r.gauge("migwarden_agent_mig_devices", "MIG devices in the last NVML inventory.")),
      unhealthyDevices(r.gauge("migwarden_agent_unhealthy_devices",
                               "GPUs and MIG devices reported unhealthy after a critical XID error.")),
      allocations(r.gauge("migwarden_agent_allocations", "Container allocations in the last pod-resources list.")),
      xidEvents(r.counter("migwarden_agent_xid_events_total", "Critical XID events received from NVML (not ignored).")),
      nvmlLoaded(r.gauge("migwarden_agent_nvml_loaded", "1 when NVML is loaded and initialised, else 0.")),
      inventoryReadFailures(
          r.counter("migwarden_agent_inventory_read_failures_total", "NVML inventory reads that failed.")),
      allocationListFailures(r.counter("migwarden_agent_allocation_list_failures_total",
                                       "Kubelet pod-resources List calls that failed.")) {
  // Every reason exists from the start, so dashboards see 0 rather than no series.
  for (PushOutcome o : {PushOutcome::kStale, PushOutcome::kUnauthorized, PushOutcome::kForbidden, PushOutcome::kRejected,
                        PushOutcome::kServerError, PushOutcome::kUnavailable, PushOutcome::kToken})
    (void)failure(o);
}

Counter& AgentMetrics::failure(PushOutcome outcome) const {
  return registry.counter(kFailures, kFailuresHelp, {{"reason", std::string(pushOutcomeName(outcome))}});
}

}  // namespace migwarden::agent
