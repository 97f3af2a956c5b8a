#include "tests/ha/ha_reviews.h"

#include <cstdio>

#include "tests/support/temp_dir.h"

namespace migwarden::testing::ha {

using nlohmann::json;

namespace {

// A stable pseudo-UUID tail from a small number, so reports are reproducible.
std::string hex12(uint64_t n) {
  char buf[13];
  std::snprintf(buf, sizeof buf, "%012llx", static_cast<unsigned long long>(n));
  return buf;
}

uint64_t nodeNumber(const std::string& node) {
  uint64_t h = 1469598103934665603ull;  // FNV-1a: distinct nodes get distinct device uuids
  for (unsigned char c : node) h = (h ^ c) * 1099511628211ull;
  return h & 0xffffffull;
}

}  // namespace

json gpuPodReview(const std::string& podUid, const std::string& name, int count) {
  return testing::gpuPodReview(podUid, name, kSliceResource, count);
}

std::string sliceUuid(const std::string& node, int gpu, int slice) {
  return "MIG-0c6a3e8f-1b2d-5f4a-8e9c-" + hex12((nodeNumber(node) << 20) | (uint64_t(gpu) << 8) | uint64_t(slice));
}

json a100NodeReport(const std::string& node, int gpus, int64_t sequence) {
  json report = {{"node", node},
                 {"sequence", sequence},
                 {"bootId", "3f1c2a9e-5b7d-4c1e-9a44-" + hex12(nodeNumber(node))},
                 {"driverVersion", "550.54.15"},
                 {"cudaDriverVersion", "12.4"},
                 {"migConfigState", "success"},
                 {"gpus", json::array()},
                 {"allocations", json::array()}};
  for (int g = 0; g < gpus; ++g) {
    json devices = json::array();
    for (int s = 0; s < kSlicesPerGpu; ++s) {
      devices.push_back({{"uuid", sliceUuid(node, g, s)},
                         {"profile", "1g.5gb"},
                         {"giId", 7 + s},
                         {"ciId", 0},
                         {"placement", {{"start", s}, {"size", 1}}},
                         {"healthy", true}});
    }
    report["gpus"].push_back({{"uuid", "GPU-5a8c1f3e-0d2b-4e6a-9c71-" + hex12((nodeNumber(node) << 8) | uint64_t(g))},
                              {"product", "NVIDIA A100-SXM4-40GB"},
                              {"pciDeviceId", "0x20B010DE"},
                              {"computeCapability", "8.0"},
                              {"memoryMiB", 40960},
                              {"migMode", "enabled"},
                              {"migDevices", devices}});
  }
  return report;
}

}  // namespace migwarden::testing::ha
