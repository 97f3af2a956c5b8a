// Ledger changes in the audit log: one record per reservation, bind, release, expiry,
// new conflict and node report (accepted or refused), next to the admission decisions.
//
//  - AuditedStore decorates any ledger::Store (local or etcd) and records the mutations
//    admission makes through it (reserve, release, expiry). With --audit-failure deny it
//    refuses new allocations (pending records, reservations) with Unavailable while the
//    audit log cannot take records, so no GPU is handed out unrecorded; the rules turn
//    that into a 503 denial of the GPU pod or binding. Releases and expiries still
//    happen (refusing them would only strand capacity or block pod deletion) and are
//    counted as audit failures if their records cannot be written.
//  - LedgerReportAuditor is the ledger API's ReportObserver: it records every node
//    report the API answers, with the token's subject, and the binds, releases and new
//    conflicts a report caused.
//
// Records are appended to the AuditLog queue (never blocking on disk). Thread-safe: both
// only forward to the thread-safe Store and AuditLog.
#pragma once

#include "webhook/audit/audit_log.h"
#include "webhook/ledger/api/ledger_api.h"
#include "webhook/ledger/store.h"
#include "webhook/policy/policy_store.h"

namespace migwarden::webhook {

class AuditedStore final : public ledger::Store {
 public:
  // All three must outlive the decorator.
  AuditedStore(ledger::Store& inner, audit::AuditLog& log, const policy::PolicyStore& policies)
      : inner_(inner), log_(log), policies_(policies) {}

  Result<ledger::ApplyOutcome> applyNodeReport(const ledger::NodeReport& report) override {
    return inner_.applyNodeReport(report);  // recorded by LedgerReportAuditor (it knows the caller)
  }
  Status recordPending(const ledger::PendingPod& pod, bool dryRun) override {
    if (!dryRun) MIGWARDEN_RETURN_IF_ERROR(gate());
    return inner_.recordPending(pod, dryRun);  // its decision record covers it
  }
  Result<ledger::ReserveOutcome> reserve(const ledger::ReserveRequest& request) override;
  Result<bool> release(std::string_view podUid) override;
  Result<std::vector<std::string>> expireReservations(ledger::TimePoint now) override;

  int64_t freeSlices(std::string_view node, std::string_view resource) const override {
    return inner_.freeSlices(node, resource);
  }
  std::vector<std::string> nodesThatCouldTake(const ledger::ResourceCounts& needs) const override {
    return inner_.nodesThatCouldTake(needs);
  }
  std::optional<ledger::Reservation> reservationOf(std::string_view podUid) const override {
    return inner_.reservationOf(podUid);
  }
  std::optional<ledger::PendingPod> pendingOf(std::string_view podUid) const override {
    return inner_.pendingOf(podUid);
  }
  bool isReconfiguring(std::string_view node) const override { return inner_.isReconfiguring(node); }
  ledger::LedgerView view() const override { return inner_.view(); }
  std::optional<std::pair<ledger::NodeReport, ledger::NodeSummary>> node(std::string_view name) const override {
    return inner_.node(name);
  }
  std::vector<ledger::Conflict> conflicts() const override { return inner_.conflicts(); }
  Status health() const override { return inner_.health(); }
  Result<ledger::LedgerDump> exportLedger() const override { return inner_.exportLedger(); }
  Status importLedger(const ledger::LedgerDump& dump) override { return inner_.importLedger(dump); }

 private:
  Status gate() const;

  ledger::Store& inner_;
  audit::AuditLog& log_;
  const policy::PolicyStore& policies_;
};

class LedgerReportAuditor final : public ledger::ReportObserver {
 public:
  LedgerReportAuditor(audit::AuditLog& log, const policy::PolicyStore& policies) : log_(log), policies_(policies) {}

  bool acceptingStateChanges() const override { return log_.acceptingWrites(); }
  void reportAccepted(const ledger::NodeReport& report, const ledger::ApplyOutcome& outcome,
                      std::string_view subject) override;
  void reportRefused(std::string_view node, std::string_view reason, int httpStatus,
                     std::string_view message) override;

 private:
  audit::AuditLog& log_;
  const policy::PolicyStore& policies_;
};

}  // namespace migwarden::webhook
