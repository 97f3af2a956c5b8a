// What every /mutate rule starts from: the decision whether this request is one the
// mutating webhook changes at all (endpoint /mutate, a Pod, CREATE, a namespace the
// policy does not ignore), and if so one policy snapshot, the typed pod, its GPU
// requests and the object exactly as received (every patch op is computed against it,
// because the apiserver applies the patch to that object and fails the request with a
// 500 when an op does not apply).
//
// Thread-safety: free functions; a MutationScope belongs to one request.
#pragma once

#include <rapidjson/document.h>

#include <memory>
#include <optional>
#include <string_view>

#include "webhook/admission/json_patch.h"
#include "webhook/admission/rule.h"
#include "webhook/policy/policy_store.h"
#include "webhook/rules/gpu_requests.h"

namespace migwarden::rules {

struct MutationScope {
  std::shared_ptr<const policy::Policy> policy;  // one snapshot for the whole rule
  const admission::Pod* pod = nullptr;           // owned by the ReviewContext
  const rapidjson::Value* object = nullptr;      // request.object as received
  PodGpuRequests gpu;

  bool isGpuPod() const { return !gpu.empty(); }
  bool containerUsesMig(const admission::Container& c) const;
  bool containerUsesWholeGpu(const admission::Container& c) const;
};

// nullopt: leave the request alone. Error: the pod cannot be read (the message names the
// field); the pipeline refuses it, as validation would.
Result<std::optional<MutationScope>> mutationScope(const admission::ReviewContext& context,
                                                   const policy::PolicyStore& policies);

// "/spec/containers/<i>" or "/spec/initContainers/<i>" for a container of `pod`
// (ephemeral containers are never patched: they cannot exist on CREATE).
std::optional<admission::JsonPointer> containerPointer(const admission::Pod& pod, const admission::Container& c);

}  // namespace migwarden::rules
