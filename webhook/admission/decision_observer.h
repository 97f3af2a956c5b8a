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
  // False when a decision that changes state could not be recorded (audit sink failed in
  // deny mode): such requests are then denied before any rule runs, so nothing changes
  // unrecorded.
  virtual bool acceptingStateChanges() const = 0;
  // Called once per decoded review after the rules ran (also for the denial above).
  virtual void observe(Endpoint endpoint, const AdmissionRequest& request, const Decision& decision,
                       std::chrono::microseconds latency) = 0;
};

}  // namespace migwarden::admission
