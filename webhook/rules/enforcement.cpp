#include "webhook/rules/enforcement.h"

#include <spdlog/spdlog.h>

namespace migwarden::rules {

void report(const policy::Policy& policy, std::string_view ruleId, const admission::ReviewContext& context,
            admission::Decision& decision, std::string message) {
  const auto& request = context.request();
  static const policy::Labels kNoLabels;
  policy::Action action = policy.actionFor(ruleId, request.namespace_, kNoLabels);
  std::string key = "rule." + std::string(ruleId);
  switch (action) {
    case policy::Action::kDeny:
      decision.annotate(key, "deny");
      decision.deny(403, "Forbidden", "migwarden " + std::string(ruleId) + ": " + message);
      break;
    case policy::Action::kWarn:
      decision.annotate(key, "warn");
      decision.warn("migwarden " + std::string(ruleId) + ": " + message);
      break;
    case policy::Action::kAudit:
      decision.annotate(key, "audit");
      spdlog::info("audit-only finding {} in namespace {}: {}", ruleId, request.namespace_, message);
      break;
  }
}

}  // namespace migwarden::rules
