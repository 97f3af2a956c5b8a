// The AdmissionService behind POST /mutate and /validate: HTTP checks, decode, rule
// pipeline, encode, metrics. See review_service.h.
#include "webhook/admission/review_service.h"

#include <array>
#include <chrono>
#include <cctype>

#include "webhook/admission/pipeline.h"
#include "webhook/admission/review_encode.h"
#include "webhook/admission/review_service_impl.h"
#include "webhook/admission/sanitize.h"

namespace migwarden::admission {
namespace {

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != std::tolower(static_cast<unsigned char>(b[i]))) return false;
  }
  return true;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool isJsonContentType(std::string_view contentType) {
  std::string_view mediaType = trim(contentType.substr(0, contentType.find(';')));
  return equalsIgnoreCase(mediaType, "application/json");
}

ReviewService::ReviewService(ReviewServiceOptions options, RulePipeline pipeline)
    : pipeline_(std::move(pipeline)), observer_(options.observer) {
  if (options.metrics == nullptr) return;
  static constexpr std::array<std::string_view, 2> kEndpoints = {"mutate", "validate"};
  static constexpr std::array<std::string_view, 3> kDecisions = {"allowed", "denied", "invalid"};
  for (size_t e = 0; e < kEndpoints.size(); ++e) {
    for (size_t d = 0; d < kDecisions.size(); ++d) {
      counters_[e][d] = &options.metrics->counter(
          "migwarden_admission_reviews_total", "AdmissionReviews handled, by endpoint and decision",
          {{"endpoint", std::string(kEndpoints[e])}, {"decision", std::string(kDecisions[d])}});
    }
  }
}

AdmissionResult ReviewService::finish(Endpoint endpoint, Outcome outcome, HttpResponse response) const {
  static constexpr std::array<std::string_view, 3> kNames = {"allowed", "denied", "invalid"};
  size_t e = endpoint == Endpoint::kMutate ? 0 : 1;
  size_t d = static_cast<size_t>(outcome);
  if (Counter* c = counters_[e][d]) c->inc();
  return AdmissionResult{std::move(response), std::string(kNames[d])};
}

AdmissionResult ReviewService::handle(Endpoint endpoint, const HttpRequest& request) {
  if (request.method != "POST") {
    HttpResponse r =
        HttpResponse::error(405, "MethodNotAllowed",
                            "method " + sanitizeText(request.method, kMaxQuotedChars) + " is not allowed; use POST");
    r.headers.emplace_back("Allow", "POST");
    return finish(endpoint, Outcome::kInvalid, std::move(r));
  }
  std::string_view contentType = request.header("content-type");
  if (!isJsonContentType(contentType)) {
    std::string message = "Content-Type must be application/json, got ";
    if (contentType.empty()) {
      message += "none";
    } else {
      message += quoteValue(contentType);
    }
    return finish(endpoint, Outcome::kInvalid, HttpResponse::error(415, "UnsupportedMediaType", message));
  }
  Result<AdmissionReview> review = decodeAdmissionReview(request.body);
  if (!review.ok()) {
    return finish(endpoint, Outcome::kInvalid, HttpResponse::error(400, "BadRequest", review.status().message()));
  }
  auto started = std::chrono::steady_clock::now();
  ReviewContext context(*review, endpoint);
  Decision decision = pipeline_.run(context);
  if (observer_)
    observer_->observe(endpoint, review->request, decision,
                       std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started));
  std::string body = encodeAdmissionResponse(review->version, endpoint, review->request.uid, decision);
  return finish(endpoint, decision.allowed ? Outcome::kAllowed : Outcome::kDenied,
                HttpResponse::json(200, std::move(body)));
}

std::unique_ptr<AdmissionService> makeReviewService(ReviewServiceOptions options, std::vector<std::unique_ptr<const Rule>> rules) {
  return std::make_unique<ReviewService>(options, RulePipeline(std::move(rules)));
}

}  // namespace migwarden::admission
