// Helpers for the policy tests: a small valid source to mutate, and one-call compilers.
#pragma once

#include <memory>
#include <string>

#include "webhook/policy/artifact.h"
#include "webhook/policy/builtin.h"

namespace migwarden::policy::testing {

// A small, valid policy: one GPU with three profiles, a few CUDA rows, one rule.
inline std::string minimalSource() {
  return R"({
  // comment: sources are JSON with comments
  "name": "tiny",
  "gpus": [
    {"id": "A100-40GB", "productNames": ["NVIDIA A100-SXM4-40GB"], "pciDeviceIds": ["0x20B010DE"],
     "computeCapability": "8.0", "memorySlices": 8, "computeSlices": 7, "maxGpuInstances": 7,
     "migMinDriver": "450.80.02",
     "migProfiles": [
       {"name": "1g.5gb", "computeSlices": 1, "memorySlices": 1, "maxInstances": 7, "placementStarts": [0,1,2,3,4,5,6]},
       {"name": "3g.20gb", "computeSlices": 3, "memorySlices": 4, "maxInstances": 2, "placementStarts": [0,4]},
       {"name": "7g.40gb", "computeSlices": 7, "memorySlices": 8, "maxInstances": 1, "placementStarts": [0]},
     ]}
  ],
  "cuda": {
    "releases": [
      {"version": "12.0.0", "label": "CUDA 12.0 GA", "linuxMinDriver": "525.60.13"},
      {"version": "12.4.0", "label": "CUDA 12.4 GA", "linuxMinDriver": "550.54.14"},
      {"version": "12.4.1", "label": "CUDA 12.4 Update 1", "linuxMinDriver": "550.54.15"}
    ],
    "minorVersionCompatibility": [{"cudaMajor": 12, "minDriver": "525.60.13"}],
    "architectures": [{"name": "Ampere", "computeCapabilities": ["8.0", "8.6"], "firstCuda": "11.0"}]
  },
  "enforcement": {"rules": [{"id": "cuda-driver-compatible"}]}
})";
}

inline CompileResult compileText(const std::string& text, const std::string& file = "test.jsonc") {
  return compileSources({{file, text}});
}

inline std::shared_ptr<const Policy> builtin() {
  static std::shared_ptr<const Policy> p = [] {
    auto r = loadBuiltinPolicy();
    return r.ok() ? *r : nullptr;
  }();
  return p;
}

}  // namespace migwarden::policy::testing
