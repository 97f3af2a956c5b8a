// The rule set migwarden-webhook runs: pod mutation (/mutate), pod validation and the
// pods/binding reservation (/validate). Each rule checks its endpoint and resource
// itself, so one ordered list serves both endpoints.
#pragma once

#include <memory>
#include <vector>

#include "webhook/admission/rule.h"
#include "webhook/rules/rule_deps.h"

namespace migwarden::rules {

std::vector<std::unique_ptr<const admission::Rule>> makeDefaultRules(const RuleDeps& deps);

}  // namespace migwarden::rules
