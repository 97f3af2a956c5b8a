// Rule mutate-gpu-env (/mutate, Pod CREATE): the container environment the policy asks
// for (policy `mutation.env` and `mutation.ncclOnMig`).
//  - A container requesting MIG slices gets env.migSlice plus ncclOnMig.env (MIG has no
//    CUDA P2P and no NVLS, so NCCL must not try them); one requesting nvidia.com/gpu gets
//    env.wholeGpu.
//  - A container requesting no GPU — in any pod, not only GPU pods — gets env.noGpu
//    (default NVIDIA_VISIBLE_DEVICES=void): CUDA base images set
//    NVIDIA_VISIBLE_DEVICES=all, and on a node whose default runtime is the NVIDIA one that
//    would hand such a container every GPU, bypassing the device plugin.
//  - A variable the container already sets (literal or valueFrom) is never changed; if a
//    GPU container's own value differs from the policy's, a warning says so. A user-set
//    NVIDIA_VISIBLE_DEVICES is the validation rules' business (denied there).
// Ops: `add .../env` with the whole array when the container has no env, else one
// `add .../env/-` per variable. Rerunning on the patched pod adds nothing.
#pragma once

#include <memory>
#include <string_view>

#include "webhook/admission/rule.h"
#include "webhook/rules/rule_deps.h"

namespace migwarden::rules {

inline constexpr std::string_view kRuleMutateGpuEnv = "mutate-gpu-env";

std::unique_ptr<const admission::Rule> makeGpuEnvMutation(const RuleDeps& deps);

}  // namespace migwarden::rules
