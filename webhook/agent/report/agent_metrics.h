// migwarden-agent's metrics, created once at construction (one list, Envoy style).
//
//   migwarden_agent_reports_sent_total                 reports the ledger accepted
//   migwarden_agent_report_failures_total{reason}      stale|unauthorized|forbidden|rejected|
//                                                      server_error|unavailable|token
//   migwarden_agent_last_success_timestamp_seconds     wall time of the last accepted report
//   migwarden_agent_gpus / _mig_devices                devices in the last inventory
//   migwarden_agent_unhealthy_devices                  GPUs + MIG devices marked unhealthy
//   migwarden_agent_allocations                        container allocations in the last list
//   migwarden_agent_xid_events_total                   critical XID events received
//   migwarden_agent_nvml_loaded                        1 once NVML is loaded
//   migwarden_agent_inventory_read_failures_total      NVML reads that failed
//   migwarden_agent_allocation_list_failures_total     pod-resources List calls that failed
//
// Thread-safety: the members are atomics; safe from any thread.
#pragma once

#include "webhook/agent/report/report_sender.h"
#include "webhook/common/metrics.h"

namespace migwarden::agent {

struct AgentMetrics {
  explicit AgentMetrics(MetricsRegistry& registry);

  Counter& failure(PushOutcome outcome) const;

  MetricsRegistry& registry;
  Counter& reportsSent;
  Gauge& lastSuccessSeconds;
  Gauge& gpus;
  Gauge& migDevices;
  Gauge& unhealthyDevices;
  Gauge& allocations;
  Counter& xidEvents;
  Gauge& nvmlLoaded;
  Counter& inventoryReadFailures;
  Counter& allocationListFailures;
};

}  // namespace migwarden::agent
