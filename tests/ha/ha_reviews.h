// AdmissionReviews and node reports for the HA tests and the HA benchmark, built from the
// same fixtures the integration suite uses (tests/fixtures), so both speak the exact
// shapes kube-apiserver and the agent send. Pure functions; thread-safe.
#pragma once

#include <nlohmann/json.hpp>

#include <cstdint>
#include <string>

#include "tests/support/blackbox/reviews.h"

namespace migwarden::testing::ha {

// The MIG profile every HA test pod asks for: seven of them fit on one A100-40GB.
inline constexpr const char* kSliceResource = "nvidia.com/mig-1g.5gb";
inline constexpr int kSlicesPerGpu = 7;

// A GPU pod CREATE for /validate (namespace ml), asking for `count` 1g.5gb slices and
// CUDA 12.4. Validation records its needs as pending, which the binding then reserves.
// (Bindings: bindingReview in tests/support/blackbox/reviews.h.)
nlohmann::json gpuPodReview(const std::string& podUid, const std::string& name, int count = 1);

// A full node report for `node`: driver 550.54.15 / CUDA 12.4, `gpus` A100-SXM4-40GB GPUs
// each cut into seven healthy 1g.5gb slices, nothing allocated. Device UUIDs are derived
// from (node, gpu, slice), so two reports of the same node name the same devices.
nlohmann::json a100NodeReport(const std::string& node, int gpus, int64_t sequence);

// The uuid of slice `slice` on GPU `gpu` of `node`, as a100NodeReport names it.
std::string sliceUuid(const std::string& node, int gpu, int slice);

}  // namespace migwarden::testing::ha
