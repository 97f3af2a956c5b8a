// The AdmissionService that decodes AdmissionReview, runs the rule pipeline and
// encodes the response. (Owned by the admission codec work; this declaration is the
// contract the server's main() wires against.)
#pragma once

#include <memory>

#include "webhook/admission/admission_service.h"
#include "webhook/common/metrics.h"

namespace migwarden::admission {

struct ReviewServiceOptions {
  MetricsRegistry* metrics = nullptr;  // optional
};

std::unique_ptr<AdmissionService> makeReviewService(ReviewServiceOptions options);

}  // namespace migwarden::admission
