#include "webhook/admission/pipeline.h"

#include <spdlog/spdlog.h>

namespace migwarden::admission {

bool ReviewContext::isPod() const {
  const AdmissionRequest& r = request();
  return r.resource.group.empty() && r.resource.resource == "pods" && r.subResource.empty();
}

bool ReviewContext::isBinding() const {
  const AdmissionRequest& r = request();
  return r.resource.group.empty() && r.resource.resource == "pods" && r.subResource == "binding";
}

namespace {

template <typename T>
Result<const T*> cachedView(std::optional<Result<T>>& cache, const std::function<Result<T>()>& decode) {
  if (!cache) cache.emplace(decode());
  if (!cache->ok()) return cache->status();
  return &cache->value();
}

}  // namespace

Result<const Pod*> ReviewContext::pod() const {
  return cachedView<Pod>(pod_, [this]() -> Result<Pod> {
    if (!isPod()) return Status::FailedPrecondition("request is not for a Pod");
    if (request().object == nullptr) return Status::InvalidArgument("request.object: required");
    return decodePod(*request().object, "request.object");
  });
}

Result<const Pod*> ReviewContext::oldPod() const {
  return cachedView<Pod>(oldPod_, [this]() -> Result<Pod> {
    if (!isPod()) return Status::FailedPrecondition("request is not for a Pod");
    if (request().oldObject == nullptr) return Status::InvalidArgument("request.oldObject: required");
    return decodePod(*request().oldObject, "request.oldObject");
  });
}

Result<const Binding*> ReviewContext::binding() const {
  return cachedView<Binding>(binding_, [this]() -> Result<Binding> {
    if (!isBinding()) return Status::FailedPrecondition("request is not for pods/binding");
    if (request().object == nullptr) return Status::InvalidArgument("request.object: required");
    return decodeBinding(*request().object, "request.object");
  });
}

Decision RulePipeline::run(const ReviewContext& context) const {
  Decision decision;
  for (const auto& rule : rules_) {
    Status st = rule->evaluate(context, decision);
    if (!st.ok()) {
      // A request the rule cannot evaluate is refused (fail closed): an unreadable GPU
      // request must not slip through. The message names the rule and the field.
      bool badInput = st.code() == StatusCode::kInvalidArgument;
      if (!badInput) spdlog::warn("admission rule {} failed: {}", rule->id(), st.toString());
      decision.deny(badInput ? 400 : 500, badInput ? "BadRequest" : "InternalError",
                    std::string(rule->id()) + ": " + st.message());
    }
  }
  if (!decision.allowed || context.endpoint() == Endpoint::kValidate) decision.patch = JsonPatch();
  return decision;
}

}  // namespace migwarden::admission
