#include "webhook/rules/validate_subject.h"

#include "webhook/rules/enforcement.h"

namespace migwarden::rules {

Result<std::optional<ValidationSubject>> subjectFor(const admission::ReviewContext& context,
                                                    const policy::PolicyStore& policies) {
  const admission::AdmissionRequest& request = context.request();
  if (context.endpoint() != admission::Endpoint::kValidate) return std::optional<ValidationSubject>();
  bool podCreate = context.isPod() && request.operation == admission::Operation::kCreate;
  bool ephemeral = request.resource.group.empty() && request.resource.resource == "pods" &&
                   request.subResource == "ephemeralcontainers" && request.operation == admission::Operation::kUpdate;
  if (!podCreate && !ephemeral) return std::optional<ValidationSubject>();

  ValidationSubject subject;
  subject.policy = policies.current();
  if (subject.policy->isIgnoredNamespace(request.namespace_)) return std::optional<ValidationSubject>();
  subject.ephemeralUpdate = ephemeral;
  if (podCreate) {
    auto pod = context.pod();
    if (!pod.ok()) return pod.status();
    subject.pod = *pod;
  } else {
    if (request.object == nullptr) return Status::InvalidArgument("request.object: required");
    auto pod = admission::decodePod(*request.object, "request.object");
    if (!pod.ok()) return pod.status();
    subject.owned_ = std::make_shared<const admission::Pod>(std::move(*pod));
    subject.pod = subject.owned_.get();
  }
  subject.gpu = gpuRequests(*subject.pod);
  return std::optional<ValidationSubject>(std::move(subject));
}

void reportFeasibility(const policy::Policy& policy, std::string_view ruleId, bool ledgerKnowsGpuNodes,
                       const admission::ReviewContext& context, admission::Decision& decision, std::string message) {
  static const policy::Labels kNoLabels;
  if (!ledgerKnowsGpuNodes &&
      policy.actionFor(ruleId, context.request().namespace_, kNoLabels) == policy::Action::kDeny) {
    decision.annotate("rule." + std::string(ruleId), "warn");
    // Warnings are cut at 120 characters: the reason it is only a warning goes first.
    decision.warn("migwarden " + std::string(ruleId) + " (no GPU node reported yet, not enforced): " + message);
    return;
  }
  report(policy, ruleId, context, decision, std::move(message));
}

std::string quoted(std::string_view text) {
  std::string out;
  out.reserve(text.size() + 2);
  out += '"';
  out += text;
  out += '"';
  return out;
}

std::string formatNeeds(const ledger::ResourceCounts& needs) {
  std::string out;
  for (const auto& [resource, count] : needs) {
    if (!out.empty()) out += ',';
    out += resource + "=" + std::to_string(count);
  }
  return out;
}

}  // namespace migwarden::rules
