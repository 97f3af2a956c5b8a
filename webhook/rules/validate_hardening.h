// Hardening rules: a pod must not steer the NVIDIA container runtime to devices the
// device plugin did not give it, nor reach GPU device nodes around it.
//  - device-env-hardening: NVIDIA_VISIBLE_DEVICES, CUDA_VISIBLE_DEVICES,
//    NVIDIA_MIG_CONFIG_DEVICES, NVIDIA_MIG_MONITOR_DEVICES set by the user (literal or
//    valueFrom) in any container of any pod. Exception: NVIDIA_VISIBLE_DEVICES="void" in a
//    container without GPU requests, which the mutating webhook injects (validation runs
//    after mutation). envFrom (which could carry those names) gets a warning, not a denial:
//    the ConfigMap/Secret content is not visible at admission.
//  - privileged-gpu: a privileged container in a GPU pod, or a hostPath volume under
//    /dev/nvidia* in any pod. The policy has no exemption list; exempt a namespace with an
//    enforcement override for this rule (action warn or audit).
// Thread-safety: immutable rules.
#pragma once

#include <memory>
#include <string_view>

#include "webhook/admission/rule.h"
#include "webhook/rules/rule_deps.h"

namespace migwarden::rules {

inline constexpr std::string_view kDeviceEnvNames[] = {"NVIDIA_VISIBLE_DEVICES", "CUDA_VISIBLE_DEVICES",
                                                       "NVIDIA_MIG_CONFIG_DEVICES", "NVIDIA_MIG_MONITOR_DEVICES"};

std::unique_ptr<const admission::Rule> makeDeviceEnvHardeningRule(const RuleDeps& deps);
std::unique_ptr<const admission::Rule> makePrivilegedGpuRule(const RuleDeps& deps);

}  // namespace migwarden::rules
