// NvmlLibrary: libnvidia-ml.so.1 opened with dlopen at run time (never linked, so the agent
// starts and explains itself on a machine without the NVIDIA driver), its versioned symbols
// resolved into a typed table, nvmlInit_v2 called once. The destructor calls nvmlShutdown
// and dlclose.
//
// Required symbols are the ones every MIG-capable driver (R450+) exports; a missing one is
// an error naming it. Optional symbols are features: a missing one leaves its pointer null
// and the corresponding has*() false (no CUDA driver version, no health events).
//
// Thread-safety: the table is immutable after open(); NVML itself is thread-safe, so one
// NvmlLibrary may be shared (std::shared_ptr) by the inventory and the health threads.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "webhook/agent/nvml/nvml_types.h"
#include "webhook/common/status.h"

namespace migwarden::agent::nvml {

inline constexpr std::string_view kDefaultNvmlLibrary = "libnvidia-ml.so.1";

// X(name): required symbols; OPT(name): optional symbols.
#define MIGWARDEN_NVML_REQUIRED_SYMBOLS(X)       \
  X(nvmlInit_v2)                                 \
  X(nvmlShutdown)                                \
  X(nvmlErrorString)                             \
  X(nvmlSystemGetDriverVersion)                  \
  X(nvmlDeviceGetCount_v2)                       \
  X(nvmlDeviceGetHandleByIndex_v2)               \
  X(nvmlDeviceGetName)                           \
  X(nvmlDeviceGetUUID)                           \
  X(nvmlDeviceGetPciInfo_v3)                     \
  X(nvmlDeviceGetCudaComputeCapability)          \
  X(nvmlDeviceGetMemoryInfo)                     \
  X(nvmlDeviceGetMigMode)                        \
  X(nvmlDeviceGetMaxMigDeviceCount)              \
  X(nvmlDeviceGetMigDeviceHandleByIndex)         \
  X(nvmlDeviceGetGpuInstanceId)                  \
  X(nvmlDeviceGetComputeInstanceId)              \
  X(nvmlDeviceGetGpuInstanceProfileInfo)         \
  X(nvmlDeviceGetGpuInstanceById)                \
  X(nvmlGpuInstanceGetInfo)                      \
  X(nvmlGpuInstanceGetComputeInstanceProfileInfo) \
  X(nvmlGpuInstanceGetComputeInstanceById)       \
  X(nvmlComputeInstanceGetInfo_v2)

#define MIGWARDEN_NVML_OPTIONAL_SYMBOLS(X) \
  X(nvmlSystemGetCudaDriverVersion_v2)     \
  X(nvmlEventSetCreate)                    \
  X(nvmlDeviceGetSupportedEventTypes)      \
  X(nvmlDeviceRegisterEvents)              \
  X(nvmlEventSetWait_v2)                   \
  X(nvmlEventSetFree)

// One typed pointer per symbol, named like the symbol. Optional ones may be null.
struct NvmlApi {
#define MIGWARDEN_NVML_FIELD(name) decltype(&::name) name = nullptr;
  MIGWARDEN_NVML_REQUIRED_SYMBOLS(MIGWARDEN_NVML_FIELD)
  MIGWARDEN_NVML_OPTIONAL_SYMBOLS(MIGWARDEN_NVML_FIELD)
#undef MIGWARDEN_NVML_FIELD
};

class NvmlLibrary {
 public:
  // Loads `path` (a soname searched like the dynamic linker does, or a file path) and
  // calls nvmlInit_v2. Errors: Unavailable "NVML not available: cannot load <path>: <dlerror>
  // (is the NVIDIA driver installed and the library mounted?)"; FailedPrecondition naming a
  // missing required symbol; Unavailable naming the nvmlInit_v2 error.
  static Result<std::unique_ptr<NvmlLibrary>> open(std::string path = std::string(kDefaultNvmlLibrary));

  ~NvmlLibrary();
  NvmlLibrary(const NvmlLibrary&) = delete;
  NvmlLibrary& operator=(const NvmlLibrary&) = delete;

  const NvmlApi& api() const { return api_; }
  const std::string& path() const { return path_; }

  bool hasCudaDriverVersion() const { return api_.nvmlSystemGetCudaDriverVersion_v2 != nullptr; }
  bool hasEvents() const;

  // "GPU is lost (NVML error 15)".
  std::string describe(nvmlReturn_t rc) const;
  // OK for NVML_SUCCESS, else Unavailable "<call>: <describe(rc)>"; `call` names the function
  // and the device ("nvmlDeviceGetMemoryInfo(gpu 1)").
  Status check(nvmlReturn_t rc, std::string_view call) const;

 private:
  NvmlLibrary(void* handle, std::string path) : handle_(handle), path_(std::move(path)) {}

  void* handle_;
  std::string path_;
  NvmlApi api_;
  bool initialized_ = false;
};

}  // namespace migwarden::agent::nvml
