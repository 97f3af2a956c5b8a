// Runs an ordered list of rules over one request and merges their verdicts into one
// Decision. Empty list (the state until the rules issue lands): allow, no patch.
//
// Merge rules: allowed is the AND of all rules; the first denial sets code and reason,
// later denial messages are appended; warnings and audit annotations accumulate; patch
// operations accumulate in rule order and are dropped when the request is denied
// (the apiserver ignores a denied response's patch) or on /validate.
// Thread-safety: immutable after construction; run() may be called concurrently.
#pragma once

#include <functional>
#include <memory>
#include <vector>

#include "webhook/admission/rule.h"

namespace migwarden::admission {

class RulePipeline {
 public:
  RulePipeline() = default;
  explicit RulePipeline(std::vector<std::unique_ptr<const Rule>> rules) : rules_(std::move(rules)) {}

  size_t size() const { return rules_.size(); }
  Decision run(const ReviewContext& context) const;

 private:
  std::vector<std::unique_ptr<const Rule>> rules_;
};

}  // namespace migwarden::admission
