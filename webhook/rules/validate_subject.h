// What every /validate pod rule starts from: whether the request is theirs at all, the
// typed Pod, its GPU requests, and the policy snapshot for this request.
//
// Theirs: /validate, a namespace the policy does not ignore, and either a Pod CREATE or
// a pods/ephemeralcontainers UPDATE. Plain Pod UPDATEs are not checked: resources, env,
// securityContext and volumes are immutable on a Pod, and re-judging a running pod
// against a newer policy would block unrelated metadata edits (finalizers, labels).
// Thread-safety: a ValidationSubject belongs to one request.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "webhook/admission/rule.h"
#include "webhook/policy/policy_store.h"
#include "webhook/rules/gpu_requests.h"

namespace migwarden::rules {

struct ValidationSubject {
  std::shared_ptr<const policy::Policy> policy;
  const admission::Pod* pod = nullptr;
  bool ephemeralUpdate = false;  // pods/ephemeralcontainers
  // Error when a GPU quantity is malformed (fraction, negative, requests != limits).
  Result<PodGpuRequests> gpu = PodGpuRequests{};
  bool gpuPod() const { return gpu.ok() && !gpu->empty(); }

 private:
  friend Result<std::optional<ValidationSubject>> subjectFor(const admission::ReviewContext&,
                                                             const policy::PolicyStore&);
  // The pods/ephemeralcontainers object, which ReviewContext::pod() does not decode.
  std::shared_ptr<const admission::Pod> owned_;
};

// nullopt when the request is not one the pod validation rules look at. An error when
// the Pod cannot be decoded (message names the JSON path).
Result<std::optional<ValidationSubject>> subjectFor(const admission::ReviewContext& context,
                                                    const policy::PolicyStore& policies);

// report() for feasibility findings, which depend on what the ledger knows: while no GPU
// node has reported (a fresh install), a deny is lowered to a warning so that installing
// migwarden never blocks GPU pods before its agents run.
void reportFeasibility(const policy::Policy& policy, std::string_view ruleId, bool ledgerKnowsGpuNodes,
                       const admission::ReviewContext& context, admission::Decision& decision, std::string message);

// `"name"`, for messages (built by appending: GCC 12 warns falsely on "\"" + string).
std::string quoted(std::string_view text);

// "nvidia.com/mig-1g.10gb=1,nvidia.com/gpu=2" (the `slices` audit annotation).
std::string formatNeeds(const ledger::ResourceCounts& needs);

}  // namespace migwarden::rules
