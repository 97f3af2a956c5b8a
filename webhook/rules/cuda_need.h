// The CUDA version a pod declares it needs, from (first match wins):
//   1. the pod annotation policy.cudaDeclaration.annotation (migwarden.io/cuda-version),
//   2. the pod label policy.cudaDeclaration.label (cuda.version),
//   3. NVIDIA_REQUIRE_CUDA (cudaDeclaration.requireEnv) on a GPU container: its "cuda>="
//      condition, as libnvidia-container reads it,
//   4. the policy's image rules applied to the GPU containers' images.
// When annotation and label both exist and differ, the annotation wins and the conflict
// is returned for a warning (rule cuda-label-conflict). Pure; thread-safe.
#pragma once

#include <optional>
#include <string>

#include "webhook/admission/pod.h"
#include "webhook/policy/policy.h"
#include "webhook/rules/gpu_requests.h"

namespace migwarden::rules {

struct CudaNeed {
  std::optional<policy::Version> version;  // none: the pod declares nothing
  std::string source;                      // `annotation "migwarden.io/cuda-version"`, ...
  std::optional<std::string> labelConflict;  // message when annotation and label differ
};

// Errors (InvalidArgument) name the field: `metadata.annotations["migwarden.io/cuda-version"]:
// "twelve" is not a version`, `container "train": env NVIDIA_REQUIRE_CUDA: ...`.
Result<CudaNeed> resolveCudaNeed(const admission::Pod& pod, const PodGpuRequests& gpu, const policy::Policy& policy);

}  // namespace migwarden::rules
