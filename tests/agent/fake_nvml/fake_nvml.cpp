// The exported C functions of the fake libnvidia-ml.so.1. Compiled against the agent's
// webhook/agent/nvml/nvml_types.h, so the compiler checks every signature against the
// prototypes the agent's dlsym table is typed with. Built twice: the full library, and
// with FAKE_NVML_MINIMAL (no nvmlSystemGetCudaDriverVersion_v2, no event functions) to
// stand for a driver lacking optional symbols.
#include <algorithm>
#include <chrono>
#include <cstring>
#include <string>

#include "tests/agent/fake_nvml/fake_nvml_state.h"

using migwarden::fakenvml::Config;
using migwarden::fakenvml::DeviceRef;
using migwarden::fakenvml::FakeNvml;

#define FAKE_NVML_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

FakeNvml& fake() { return FakeNvml::instance(); }

nvmlReturn_t copyString(const std::string& value, char* out, unsigned int length) {
  if (out == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
  if (value.size() + 1 > length) return NVML_ERROR_INSUFFICIENT_SIZE;
  std::memcpy(out, value.c_str(), value.size() + 1);
  return NVML_SUCCESS;
}

const migwarden::fakenvml::GiProfile* giProfileById(const migwarden::fakenvml::Gpu& gpu, unsigned int id) {
  for (const auto& p : gpu.giProfiles)
    if (p.id == id) return &p;
  return nullptr;
}

const migwarden::fakenvml::CiProfile* ciProfileById(const migwarden::fakenvml::Gpu& gpu, unsigned int id) {
  for (const auto& p : gpu.ciProfiles)
    if (p.id == id) return &p;
  return nullptr;
}

// MIG index (position in the config) of the device with this GI (and CI) id, or -1.
int findMig(const migwarden::fakenvml::Gpu& gpu, unsigned int gi, const unsigned int* ci) {
  for (size_t i = 0; i < gpu.migDevices.size(); ++i) {
    if (gpu.migDevices[i].gi == gi && (ci == nullptr || gpu.migDevices[i].ci == *ci)) return int(i);
  }
  return -1;
}

}  // namespace

FAKE_NVML_EXPORT nvmlReturn_t nvmlInit_v2(void) { return fake().init(); }
FAKE_NVML_EXPORT nvmlReturn_t nvmlShutdown(void) { return fake().shutdown(); }

FAKE_NVML_EXPORT const char* nvmlErrorString(nvmlReturn_t result) {
  switch (result) {
    case NVML_SUCCESS: return "Success";
    case NVML_ERROR_UNINITIALIZED: return "Uninitialized";
    case NVML_ERROR_INVALID_ARGUMENT: return "Invalid Argument";
    case NVML_ERROR_NOT_SUPPORTED: return "Not Supported";
    case NVML_ERROR_NO_PERMISSION: return "Insufficient Permissions";
    case NVML_ERROR_NOT_FOUND: return "Not Found";
    case NVML_ERROR_INSUFFICIENT_SIZE: return "Insufficient Size";
    case NVML_ERROR_DRIVER_NOT_LOADED: return "Driver Not Loaded";
    case NVML_ERROR_TIMEOUT: return "Timeout";
    case NVML_ERROR_LIBRARY_NOT_FOUND: return "NVML Shared Library Not Found";
    case NVML_ERROR_GPU_IS_LOST: return "GPU is lost";
    default: return "Unknown Error";
  }
}

FAKE_NVML_EXPORT nvmlReturn_t nvmlSystemGetDriverVersion(char* version, unsigned int length) {
  return fake().with(__func__, [&](const Config& c) { return copyString(c.driverVersion, version, length); });
}

#ifndef FAKE_NVML_MINIMAL
FAKE_NVML_EXPORT nvmlReturn_t nvmlSystemGetCudaDriverVersion_v2(int* cudaDriverVersion) {
  return fake().with(__func__, [&](const Config& c) {
    if (cudaDriverVersion == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    *cudaDriverVersion = c.cudaDriverVersion;
    return NVML_SUCCESS;
  });
}
#endif

FAKE_NVML_EXPORT nvmlReturn_t nvmlDeviceGetCount_v2(unsigned int* deviceCount) {
  return fake().with(__func__, [&](const Config& c) {
    if (deviceCount == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    *deviceCount = static_cast<unsigned int>(c.gpus.size());
    return NVML_SUCCESS;
  });
}

FAKE_NVML_EXPORT nvmlReturn_t nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t* device) {
  return fake().with(__func__, [&](const Config& c) {
    if (device == nullptr || index >= c.gpus.size()) return NVML_ERROR_INVALID_ARGUMENT;
    *device = FakeNvml::gpuHandle(index);
    return NVML_SUCCESS;
  });
}

// Runs f(ref) for a valid device handle (GPU or MIG).
template <typename F>
nvmlReturn_t onDevice(const char* call, nvmlDevice_t device, F&& f) {
  return fake().with(call, [&](const Config&) {
    DeviceRef ref;
    if (!fake().decode(device, ref)) return NVML_ERROR_INVALID_ARGUMENT;
    return f(ref);
  });
}

FAKE_NVML_EXPORT nvmlReturn_t nvmlDeviceGetName(nvmlDevice_t device, char* name, unsigned int length) {
  return onDevice(__func__, device, [&](const DeviceRef& d) { return copyString(d.gpu->name, name, length); });
}

FAKE_NVML_EXPORT nvmlReturn_t nvmlDeviceGetUUID(nvmlDevice_t device, char* uuid, unsigned int length) {
  return onDevice(__func__, device,
                  [&](const DeviceRef& d) { return copyString(d.mig ? d.mig->uuid : d.gpu->uuid, uuid, length); });
}

FAKE_NVML_EXPORT nvmlReturn_t nvmlDeviceGetPciInfo_v3(nvmlDevice_t device, nvmlPciInfo_t* pci) {
  return onDevice(__func__, device, [&](const DeviceRef& d) {
    if (pci == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    *pci = {};
    pci->bus = d.gpuIndex + 1;
    pci->pciDeviceId = d.gpu->pciDeviceId;
    std::snprintf(pci->busId, sizeof pci->busId, "00000000:%02X:00.0", pci->bus);
    std::snprintf(pci->busIdLegacy, sizeof pci->busIdLegacy, "0000:%02X:00.0", pci->bus);
    return NVML_SUCCESS;
  });
}

FAKE_NVML_EXPORT nvmlReturn_t nvmlDeviceGetCudaComputeCapability(nvmlDevice_t device, int* major, int* minor) {
  return onDevice(__func__, device, [&](const DeviceRef& d) {
    if (major == nullptr || minor == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    *major = d.gpu->ccMajor;
    *minor = d.gpu->ccMinor;
    return NVML_SUCCESS;
  });
}

FAKE_NVML_EXPORT nvmlReturn_t nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t* memory) {
  return onDevice(__func__, device, [&](const DeviceRef& d) {
    if (memory == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    unsigned long long mib = d.gpu->memoryMiB;
    if (d.mig != nullptr) {
      const auto* profile = giProfileById(*d.gpu, d.mig->giProfileId);
      mib = profile != nullptr ? profile->memorySizeMB : 0;
    }
    *memory = {mib << 20, mib << 20, 0};
    return NVML_SUCCESS;
  });
}

FAKE_NVML_EXPORT nvmlReturn_t nvmlDeviceGetMigMode(nvmlDevice_t device, unsigned int* currentMode,
                                                   unsigned int* pendingMode) {
  return onDevice(__func__, device, [&](const DeviceRef& d) {
    if (currentMode == nullptr || pendingMode == nullptr || d.mig != nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    if (!d.gpu->migCapable) return NVML_ERROR_NOT_SUPPORTED;
    *currentMode = d.gpu->migCurrent;
    *pendingMode = d.gpu->migPending;
    return NVML_SUCCESS;
  });
}

FAKE_NVML_EXPORT nvmlReturn_t nvmlDeviceGetMaxMigDeviceCount(nvmlDevice_t device, unsigned int* count) {
  return onDevice(__func__, device, [&](const DeviceRef& d) {
    if (count == nullptr || d.mig != nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    *count = d.gpu->maxMigDevices;
    return NVML_SUCCESS;
  });
}

FAKE_NVML_EXPORT nvmlReturn_t nvmlDeviceGetMigDeviceHandleByIndex(nvmlDevice_t device, unsigned int index,
                                                                  nvmlDevice_t* migDevice) {
  return onDevice(__func__, device, [&](const DeviceRef& d) {
    if (migDevice == nullptr || d.mig != nullptr || index >= d.gpu->maxMigDevices) return NVML_ERROR_INVALID_ARGUMENT;
    if (d.gpu->migCurrent != NVML_DEVICE_MIG_ENABLE) return NVML_ERROR_NOT_FOUND;
    for (size_t i = 0; i < d.gpu->migDevices.size(); ++i) {
      if (d.gpu->migDevices[i].slot == index) {
        *migDevice = FakeNvml::migHandle(d.gpuIndex, static_cast<unsigned int>(i));
        return NVML_SUCCESS;
      }
    }
    return NVML_ERROR_NOT_FOUND;
  });
}

FAKE_NVML_EXPORT nvmlReturn_t nvmlDeviceGetGpuInstanceId(nvmlDevice_t device, unsigned int* id) {
  return onDevice(__func__, device, [&](const DeviceRef& d) {
    if (id == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    if (d.mig == nullptr) return NVML_ERROR_NOT_SUPPORTED;
    *id = d.mig->gi;
    return NVML_SUCCESS;
  });
}

FAKE_NVML_EXPORT nvmlReturn_t nvmlDeviceGetComputeInstanceId(nvmlDevice_t device, unsigned int* id) {
  return onDevice(__func__, device, [&](const DeviceRef& d) {
    if (id == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    if (d.mig == nullptr) return NVML_ERROR_NOT_SUPPORTED;
    *id = d.mig->ci;
    return NVML_SUCCESS;
  });
}

FAKE_NVML_EXPORT nvmlReturn_t nvmlDeviceGetGpuInstanceProfileInfo(nvmlDevice_t device, unsigned int profile,
                                                                  nvmlGpuInstanceProfileInfo_t* info) {
  return onDevice(__func__, device, [&](const DeviceRef& d) {
    if (info == nullptr || d.mig != nullptr || profile >= NVML_GPU_INSTANCE_PROFILE_COUNT) {
      return NVML_ERROR_INVALID_ARGUMENT;
    }
    if (!d.gpu->migCapable) return NVML_ERROR_NOT_SUPPORTED;
    for (const auto& p : d.gpu->giProfiles) {
      if (p.profile != profile) continue;
      *info = {};
      info->id = p.id;
      info->sliceCount = p.sliceCount;
      info->instanceCount = 1;
      info->memorySizeMB = p.memorySizeMB;
      return NVML_SUCCESS;
    }
    return NVML_ERROR_NOT_SUPPORTED;
  });
}

FAKE_NVML_EXPORT nvmlReturn_t nvmlDeviceGetGpuInstanceById(nvmlDevice_t device, unsigned int id,
                                                           nvmlGpuInstance_t* gpuInstance) {
  return onDevice(__func__, device, [&](const DeviceRef& d) {
    if (gpuInstance == nullptr || d.mig != nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    const int mig = findMig(*d.gpu, id, nullptr);
    if (mig < 0) return NVML_ERROR_NOT_FOUND;
    *gpuInstance = FakeNvml::giHandle(d.gpuIndex, static_cast<unsigned int>(mig));
    return NVML_SUCCESS;
  });
}

// Runs f(ref) for a valid GPU or compute instance handle.
template <typename Handle, typename F>
nvmlReturn_t onInstance(const char* call, Handle handle, F&& f) {
  return fake().with(call, [&](const Config&) {
    DeviceRef ref;
    if (!fake().decode(handle, ref)) return NVML_ERROR_INVALID_ARGUMENT;
    return f(ref);
  });
}

FAKE_NVML_EXPORT nvmlReturn_t nvmlGpuInstanceGetInfo(nvmlGpuInstance_t gpuInstance, nvmlGpuInstanceInfo_t* info) {
  return onInstance(__func__, gpuInstance, [&](const DeviceRef& d) {
    if (info == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    *info = {};
    info->device = FakeNvml::gpuHandle(d.gpuIndex);
    info->id = d.mig->gi;
    info->profileId = d.mig->giProfileId;
    info->placement = {d.mig->placementStart, d.mig->placementSize};
    return NVML_SUCCESS;
  });
}

FAKE_NVML_EXPORT nvmlReturn_t nvmlGpuInstanceGetComputeInstanceProfileInfo(nvmlGpuInstance_t gpuInstance,
                                                                           unsigned int profile,
                                                                           unsigned int engProfile,
                                                                           nvmlComputeInstanceProfileInfo_t* info) {
  return onInstance(__func__, gpuInstance, [&](const DeviceRef& d) {
    if (info == nullptr || profile >= NVML_COMPUTE_INSTANCE_PROFILE_COUNT ||
        engProfile != NVML_COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED) {
      return NVML_ERROR_INVALID_ARGUMENT;
    }
    for (const auto& p : d.gpu->ciProfiles) {
      if (p.profile != profile) continue;
      *info = {};
      info->id = p.id;
      info->sliceCount = p.sliceCount;
      info->instanceCount = 1;
      return NVML_SUCCESS;
    }
    return NVML_ERROR_NOT_SUPPORTED;
  });
}

FAKE_NVML_EXPORT nvmlReturn_t nvmlGpuInstanceGetComputeInstanceById(nvmlGpuInstance_t gpuInstance, unsigned int id,
                                                                    nvmlComputeInstance_t* computeInstance) {
  return onInstance(__func__, gpuInstance, [&](const DeviceRef& d) {
    if (computeInstance == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    const int mig = findMig(*d.gpu, d.mig->gi, &id);
    if (mig < 0) return NVML_ERROR_NOT_FOUND;
    *computeInstance = FakeNvml::ciHandle(d.gpuIndex, static_cast<unsigned int>(mig));
    return NVML_SUCCESS;
  });
}

FAKE_NVML_EXPORT nvmlReturn_t nvmlComputeInstanceGetInfo_v2(nvmlComputeInstance_t computeInstance,
                                                            nvmlComputeInstanceInfo_t* info) {
  return onInstance(__func__, computeInstance, [&](const DeviceRef& d) {
    if (info == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    const auto index = static_cast<unsigned int>(d.mig - d.gpu->migDevices.data());
    const auto* profile = ciProfileById(*d.gpu, d.mig->ciProfileId);
    *info = {};
    info->device = FakeNvml::migHandle(d.gpuIndex, index);
    info->gpuInstance = FakeNvml::giHandle(d.gpuIndex, index);
    info->id = d.mig->ci;
    info->profileId = d.mig->ciProfileId;
    info->placement = {0, profile != nullptr ? profile->sliceCount : 1};
    return NVML_SUCCESS;
  });
}

#ifndef FAKE_NVML_MINIMAL
FAKE_NVML_EXPORT nvmlReturn_t nvmlEventSetCreate(nvmlEventSet_t* set) {
  return fake().with(__func__, [&](const Config&) {
    if (set == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    *set = fake().createSet();
    return NVML_SUCCESS;
  });
}

FAKE_NVML_EXPORT nvmlReturn_t nvmlDeviceGetSupportedEventTypes(nvmlDevice_t device, unsigned long long* eventTypes) {
  return onDevice(__func__, device, [&](const DeviceRef& d) {
    if (eventTypes == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    *eventTypes = d.gpu->supportedEventTypes;
    return NVML_SUCCESS;
  });
}

FAKE_NVML_EXPORT nvmlReturn_t nvmlDeviceRegisterEvents(nvmlDevice_t device, unsigned long long eventTypes,
                                                       nvmlEventSet_t set) {
  return onDevice(__func__, device, [&](const DeviceRef& d) {
    auto* events = fake().findSet(set);
    if (events == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
    // Per-instance registration on MIG handles is not supported (facts §6), nor are types
    // the GPU does not support.
    if (d.mig != nullptr || (eventTypes & ~d.gpu->supportedEventTypes) != 0) return NVML_ERROR_NOT_SUPPORTED;
    events->masks[d.gpuIndex] |= eventTypes;
    return NVML_SUCCESS;
  });
}

FAKE_NVML_EXPORT nvmlReturn_t nvmlEventSetWait_v2(nvmlEventSet_t set, nvmlEventData_t* data, unsigned int timeoutms) {
  return fake().waitEvent(set, data, std::chrono::milliseconds(timeoutms));
}

FAKE_NVML_EXPORT nvmlReturn_t nvmlEventSetFree(nvmlEventSet_t set) {
  return fake().with(__func__, [&](const Config&) {
    return fake().freeSet(set) ? NVML_SUCCESS : NVML_ERROR_INVALID_ARGUMENT;
  });
}
#endif
