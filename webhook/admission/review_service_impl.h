// The concrete AdmissionService (exposed for tests and for wiring a rule pipeline;
// main() uses makeReviewService()). Thread-safety: handle() is const in effect and
// safe to call from every worker thread; metrics counters are atomics created at
// construction.
#pragma once

#include <array>
#include <string_view>

#include "webhook/admission/pipeline.h"
#include "webhook/admission/review_service.h"

namespace migwarden::admission {

// application/json with optional parameters (charset=utf-8), case-insensitive.
bool isJsonContentType(std::string_view contentType);

class ReviewService final : public AdmissionService {
 public:
  ReviewService(ReviewServiceOptions options, RulePipeline pipeline);
  AdmissionResult handle(Endpoint endpoint, const HttpRequest& request) override;

 private:
  enum class Outcome { kAllowed = 0, kDenied = 1, kInvalid = 2 };
  AdmissionResult finish(Endpoint endpoint, Outcome outcome, HttpResponse response) const;

  RulePipeline pipeline_;
  DecisionObserver* observer_ = nullptr;
  // [endpoint: mutate, validate][decision: allowed, denied, invalid]; null without metrics.
  std::array<std::array<Counter*, 3>, 2> counters_{};
};

}  // namespace migwarden::admission
