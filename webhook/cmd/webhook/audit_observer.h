// Bridges admission decisions to the audit log: one AuditRecord per decoded review.
// (--audit-failure deny is enforced by AuditedStore in ledger_audit.h.)
#pragma once

#include "webhook/admission/decision_observer.h"
#include "webhook/audit/audit_log.h"
#include "webhook/policy/policy_store.h"

namespace migwarden::webhook {

class AuditObserver final : public admission::DecisionObserver {
 public:
  // Both must outlive the observer.
  AuditObserver(audit::AuditLog& log, const policy::PolicyStore& policies) : log_(log), policies_(policies) {}

  void observe(admission::Endpoint endpoint, const admission::AdmissionRequest& request,
               const admission::Decision& decision, std::chrono::microseconds latency) override;

 private:
  audit::AuditLog& log_;
  const policy::PolicyStore& policies_;
};

}  // namespace migwarden::webhook
