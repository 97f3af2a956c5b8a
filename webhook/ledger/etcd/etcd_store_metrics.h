// EtcdStore's Prometheus metrics. The reservation and report counters keep the local
// backend's names, so dashboards work for both backends.
#pragma once

#include "webhook/common/metrics.h"
#include "webhook/ledger/etcd/etcd_store.h"

namespace migwarden::ledger::etcd {

struct EtcdStore::Metrics {
  explicit Metrics(MetricsRegistry& r) {
    const char* reservationsHelp = "Reservation requests by outcome";
    reservationsGranted = &r.counter("migwarden_ledger_reservations_total", reservationsHelp, {{"outcome", "granted"}});
    reservationsRetried = &r.counter("migwarden_ledger_reservations_total", reservationsHelp, {{"outcome", "retry"}});
    reservationsDenied = &r.counter("migwarden_ledger_reservations_total", reservationsHelp, {{"outcome", "denied"}});
    reservationsExpired = &r.counter("migwarden_ledger_reservations_expired_total", "Reservations released by TTL");
    reportsApplied = &r.counter("migwarden_ledger_node_reports_total", "Node reports", {{"outcome", "applied"}});
    reportsStale = &r.counter("migwarden_ledger_node_reports_total", "Node reports", {{"outcome", "stale"}});
    const char* txnHelp = "etcd transactions by outcome (conflict: lost a race and retried)";
    txnCommitted = &r.counter("migwarden_ledger_etcd_txn_total", txnHelp, {{"outcome", "committed"}});
    txnConflicts = &r.counter("migwarden_ledger_etcd_txn_total", txnHelp, {{"outcome", "conflict"}});
    txnFailed = &r.counter("migwarden_ledger_etcd_txn_total", txnHelp, {{"outcome", "error"}});
    txnSeconds = &r.histogram("migwarden_ledger_etcd_txn_seconds", "Latency of etcd transactions",
                              latencyBucketsSeconds());
    relists = &r.counter("migwarden_ledger_etcd_relists_total", "Full reads of the ledger from etcd");
    connected = &r.gauge("migwarden_ledger_etcd_connected", "1 while the watch on etcd is established");
    sweeper = &r.gauge("migwarden_ledger_etcd_sweeper", "1 while this replica holds the reservation-sweeper lease");
  }
  Counter* reservationsGranted;
  Counter* reservationsRetried;
  Counter* reservationsDenied;
  Counter* reservationsExpired;
  Counter* reportsApplied;
  Counter* reportsStale;
  Counter* txnCommitted;
  Counter* txnConflicts;
  Counter* txnFailed;
  Histogram* txnSeconds;
  Counter* relists;
  Gauge* connected;
  Gauge* sweeper;
};

}  // namespace migwarden::ledger::etcd
