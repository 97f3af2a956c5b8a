// NvmlHealthEvents: XID critical errors from NVML, the way NVIDIA's k8s-device-plugin
// watches GPU health (facts §6 "k8s-device-plugin health reference"): one event set with
// XidCriticalError|DoubleBitEccError|SingleBitEccError registered on every GPU (masked by
// nvmlDeviceGetSupportedEventTypes), nvmlEventSetWait_v2 with a timeout, only XID events
// acted on (the plugin also skips the ECC events it registers), and XIDs on the ignore list
// dropped (default 13, 31, 43, 45, 68, 109: application errors, not hardware faults).
//
// Attribution: NVML reports events on the parent GPU with the GPU/compute instance ids of
// the MIG device that raised them. An event with gpuInstanceId 0xFFFFFFFF (not
// attributable) names the GPU uuid (the report builder marks the GPU and all its MIG
// devices unhealthy); with a GPU instance id it names every MIG device of that instance
// (one, or all of them when computeInstanceId is 0xFFFFFFFF). When no MIG device matches
// (an instance destroyed meanwhile) or the lookup itself fails, the GPU uuid is named:
// unsure means unhealthy, never silently healthy.
//
// Thread-safety: one thread at a time (the agent's health thread). Lifetime: the event set
// is freed by the destructor; the shared NvmlLibrary outlives it.
#pragma once

#include <chrono>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/agent/nvml/nvml_library.h"
#include "webhook/agent/sources.h"

namespace migwarden::agent::nvml {

// The device plugin's default list: 13, 31, 43, 45, 68, 109.
std::set<uint64_t> defaultIgnoredXids();
// "13,31, 43" -> {13, 31, 43}; "" -> {} (ignore nothing). InvalidArgument naming the item.
Result<std::set<uint64_t>> parseXidList(std::string_view text);

struct NvmlHealthOptions {
  std::set<uint64_t> ignoredXids = defaultIgnoredXids();
  // Events drained per wait() after the first one, so a storm cannot pin the caller.
  unsigned int maxEventsPerWait = 64;
  unsigned int maxGpus = 64;
};

class NvmlHealthEvents : public HealthEventSource {
 public:
  // Creates the event set and registers every GPU. FailedPrecondition when the library has
  // no event functions (optional symbols missing); an NVML error names the call and GPU.
  // GPUs that support none of the critical event types are listed in unmonitoredGpus().
  static Result<std::unique_ptr<NvmlHealthEvents>> create(std::shared_ptr<const NvmlLibrary> nvml,
                                                          NvmlHealthOptions options = {});
  ~NvmlHealthEvents() override;
  NvmlHealthEvents(const NvmlHealthEvents&) = delete;
  NvmlHealthEvents& operator=(const NvmlHealthEvents&) = delete;

  Result<std::vector<HealthEvent>> wait(std::chrono::milliseconds timeout) override;

  const std::vector<std::string>& unmonitoredGpus() const { return unmonitoredGpus_; }

 private:
  NvmlHealthEvents(std::shared_ptr<const NvmlLibrary> nvml, NvmlHealthOptions options, nvmlEventSet_t set)
      : nvml_(std::move(nvml)), options_(std::move(options)), set_(set) {}

  Status registerGpus();
  // Appends the events `data` stands for (none when it is ignored).
  void attribute(const nvmlEventData_t& data, std::vector<HealthEvent>& out) const;
  std::vector<std::string> migDevicesOf(nvmlDevice_t gpu, unsigned int giId, unsigned int ciId) const;

  std::shared_ptr<const NvmlLibrary> nvml_;
  NvmlHealthOptions options_;
  nvmlEventSet_t set_;
  std::vector<std::string> unmonitoredGpus_;
};

}  // namespace migwarden::agent::nvml
