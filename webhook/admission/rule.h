// Extension point for admission rules (filled by the rules work, issue 6). A rule looks
// at the decoded request (and the typed Pod/Binding views, decoded lazily and cached in
// the ReviewContext) and records its verdict in the shared Decision.
//
// Thread-safety: Rule objects are immutable after construction and shared by all worker
// threads; evaluate() must not mutate the rule. A ReviewContext belongs to one request.
#pragma once

#include <optional>
#include <string_view>

#include "webhook/admission/admission_service.h"
#include "webhook/admission/binding.h"
#include "webhook/admission/decision.h"
#include "webhook/admission/pod.h"
#include "webhook/admission/review.h"

namespace migwarden::admission {

class ReviewContext {
 public:
  ReviewContext(const AdmissionReview& review, Endpoint endpoint) : review_(review), endpoint_(endpoint) {}

  const AdmissionReview& review() const { return review_; }
  const AdmissionRequest& request() const { return review_.request; }
  Endpoint endpoint() const { return endpoint_; }

  bool isPod() const;      // resource pods, no subresource
  bool isBinding() const;  // pods/binding
  // Typed views of request.object, decoded on first use. Error when the request is not
  // of that resource, the object is absent, or a field is malformed (message names the path).
  Result<const Pod*> pod() const;
  Result<const Pod*> oldPod() const;
  Result<const Binding*> binding() const;

 private:
  const AdmissionReview& review_;
  Endpoint endpoint_;
  mutable std::optional<Result<Pod>> pod_;
  mutable std::optional<Result<Pod>> oldPod_;
  mutable std::optional<Result<Binding>> binding_;
};

class Rule {
 public:
  virtual ~Rule() = default;
  // Stable identifier used in logs, metrics and denial messages ("gpu-profile-allowed").
  virtual std::string_view id() const = 0;
  // Records deny/warn/patch/annotations into `decision`. A non-OK Status means the rule
  // could not evaluate (e.g. a malformed quantity); the pipeline turns it into a denial.
  virtual Status evaluate(const ReviewContext& context, Decision& decision) const = 0;
};

}  // namespace migwarden::admission
