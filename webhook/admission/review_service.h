// The AdmissionService that decodes AdmissionReview, runs the rule pipeline and
// encodes the response; the contract main() wires against.
#pragma once

#include <memory>
#include <vector>

#include "webhook/admission/admission_service.h"
#include "webhook/admission/decision_observer.h"
#include "webhook/admission/rule.h"
#include "webhook/common/metrics.h"

namespace migwarden::admission {

struct ReviewServiceOptions {
  MetricsRegistry* metrics = nullptr;    // optional
  DecisionObserver* observer = nullptr;  // optional (the audit log); must outlive the service
};

// The service behind /mutate and /validate: decode once, run `rules` in order, encode.
// With no rules every well-formed review is allowed without a patch.
std::unique_ptr<AdmissionService> makeReviewService(ReviewServiceOptions options,
                                                    std::vector<std::unique_ptr<const Rule>> rules = {});

}  // namespace migwarden::admission
