// The ledger's metrics, created once when the store opens (internal to LocalStore).
#pragma once

#include <map>

#include "webhook/common/metrics.h"
#include "webhook/ledger/ledger_types.h"
#include "webhook/ledger/local_store.h"

namespace migwarden::ledger {

struct LocalStore::Metrics {
  explicit Metrics(MetricsRegistry& r);

  std::map<ConflictKind, Gauge*> conflicts;            // current, by kind
  std::map<ConflictKind, Counter*> conflictsDetected;  // newly seen, by kind
  Counter* reservationsGranted;
  Counter* reservationsRetried;
  Counter* reservationsDenied;
  Counter* reservationsExpired;
  Counter* reportsApplied;
  Counter* reportsStale;
  Counter* logRecords;
  Counter* logSyncs;
  Counter* snapshots;
  Counter* snapshotFailures;
  Gauge* readOnly;
};

}  // namespace migwarden::ledger
