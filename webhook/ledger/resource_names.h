// Kubernetes extended-resource names for MIG devices and whole GPUs, as the NVIDIA
// k8s-device-plugin registers them with --mig-strategy=mixed:
//   "nvidia.com/" + ("mig-" + profile with every '+' replaced by '.')
// e.g. "1g.5gb" -> "nvidia.com/mig-1g.5gb", "1g.10gb+me" -> "nvidia.com/mig-1g.10gb.me",
// "1g.24gb-me" -> "nvidia.com/mig-1g.24gb-me". Whole GPUs are "nvidia.com/gpu".
// The mapping is not invertible ("+me" and ".me" collide), so the ledger only ever maps
// profile -> resource. Pure functions.
#pragma once

#include <string>
#include <string_view>

namespace migwarden::ledger {

inline constexpr std::string_view kWholeGpuResource = "nvidia.com/gpu";
inline constexpr std::string_view kMigResourcePrefix = "nvidia.com/mig-";

std::string resourceForProfile(std::string_view profile);
bool isMigResource(std::string_view resource);

}  // namespace migwarden::ledger
