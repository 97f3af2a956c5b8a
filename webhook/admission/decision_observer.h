// Hook for whoever must see every admission decision (the audit log). The admission
// module knows nothing about audit records; main() plugs an observer in.
//
// Thread-safety: called from every worker thread concurrently.
#pragma once

#include <chrono>

#include "webhook/admission/admission_service.h"
#include "webhook/admission/decision.h"
#include "webhook/admission/review.h"

namespace migwarden::admission {

class DecisionObserver {
 public:
  virtual ~DecisionObserver() = default;
  // Called once per decoded review after the rules ran. Failing closed when the audit
  // sink is down (--audit-failure deny) is the ledger's job (the webhook wraps its Store),
  // so that only GPU allocations are refused, never unrelated pods or deletions.
  virtual void observe(Endpoint endpoint, const AdmissionRequest& request, const Decision& decision,
                       std::chrono::microseconds latency) = 0;
};

}  // namespace migwarden::admission
