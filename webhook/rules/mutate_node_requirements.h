// What a GPU pod needs from a node, as node-selector terms over GPU Feature Discovery
// labels (policy mutation.nodeLabels), for the required node affinity that
// mutate-node-affinity merges into the pod. Pure functions over the policy table.
//
//  - GPU product: a pod requesting MIG slices needs a GPU model that has every requested
//    profile: `<product label> In [<GFD values of those models' product names>]` (GFD
//    writes the NVML name with spaces as '-': "NVIDIA-A100-SXM4-40GB"). No product term
//    when a resource is not in the policy (the validation rules refuse it) or no model
//    has them all.
//  - Driver floor: the larger of (a) the lowest driver the policy accepts for the pod's
//    declared CUDA version — the release's minimum, or the major's minor-version
//    compatibility floor when the policy allows it — and (b) the lowest MIG minimum
//    driver among those GPU models. Label selectors have no `>=`, so the floor
//    a.b.c becomes alternatives (several terms, ORed) using only Gt/Lt, which compare
//    integers and so are immune to zero padding in label values:
//      major > a  |  major = a, minor > b  |  major = a, minor = b, revision > c-1
//    where "x = a" is written `Gt a-1` and `Lt a+1`.
//  The result is a set of alternative terms (ORed); every term carries the product
//  requirement. Empty when nothing is known to require.
//
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "webhook/admission/pod.h"
#include "webhook/policy/policy.h"
#include "webhook/rules/gpu_requests.h"

namespace migwarden::rules {

using NodeTerm = std::vector<admission::NodeSelectorRequirement>;

// The CUDA version the pod declares (resolveCudaNeed in cuda_need.h: annotation, label,
// NVIDIA_REQUIRE_CUDA on a GPU container, image rules). nullopt when none is declared or
// the declaration is malformed (the validation rules report that).
std::optional<policy::Version> declaredCudaVersion(const policy::Policy& policy, const admission::Pod& pod,
                                                   const PodGpuRequests& gpu);

// The lowest driver the policy accepts for `cuda`; nullopt when the release is unknown.
std::optional<policy::Version> cudaDriverFloor(const policy::Policy& policy, const policy::Version& cuda);

// Alternative terms meaning "driver >= floor" (see above).
std::vector<NodeTerm> driverAtLeast(const policy::NodeLabels& labels, const policy::Version& floor);

struct NodeRequirements {
  std::vector<std::string> products;           // GFD label values, sorted; empty: no product term
  std::optional<policy::Version> driverFloor;  // none: no driver terms
  std::vector<NodeTerm> anyOf;                 // the terms to merge (ORed); empty: nothing to add
};

NodeRequirements nodeRequirements(const policy::Policy& policy, const admission::Pod& pod, const PodGpuRequests& gpu);

// True when `term` already has every requirement of `wanted` (values compared as sets).
bool termImplies(const admission::NodeSelectorTerm& term, const NodeTerm& wanted);

}  // namespace migwarden::rules
