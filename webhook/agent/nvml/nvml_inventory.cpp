#include "webhook/agent/nvml/nvml_inventory.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <map>
#include <tuple>
#include <utility>

#include "webhook/agent/nvml/mig_profile_name.h"

namespace migwarden::agent::nvml {
namespace {

constexpr uint64_t kMiB = uint64_t{1} << 20;
// Profile enums are probed from 0 until NVML says INVALID_ARGUMENT (forward compatible,
// facts §6 semantics); this cap only guards against a driver that never says it.
constexpr unsigned int kMaxProfileEnum = 64;

std::string call(std::string_view fn, unsigned int gpu) {
  return std::string(fn) + "(gpu " + std::to_string(gpu) + ")";
}
std::string call(std::string_view fn, unsigned int gpu, unsigned int migSlot) {
  return std::string(fn) + "(gpu " + std::to_string(gpu) + ", mig slot " + std::to_string(migSlot) + ")";
}

std::string fromBuffer(const char* buffer, size_t size) { return std::string(buffer, strnlen(buffer, size)); }

struct GiProfile {
  unsigned int profileEnum = 0;
  nvmlGpuInstanceProfileInfo_t info{};
};

// Reads one physical GPU (and its MIG devices). Lives for one read(); caches the GPU's
// instance profile tables, which NVML answers independently of the instances that exist.
class GpuReader {
 public:
  GpuReader(const NvmlLibrary& lib, unsigned int index, const NvmlInventoryLimits& limits)
      : lib_(lib), api_(lib.api()), index_(index), limits_(limits) {}

  Status read(ledger::Gpu& gpu, bool& migChangePending) {
    MIGWARDEN_RETURN_IF_ERROR(check(api_.nvmlDeviceGetHandleByIndex_v2(index_, &device_),
                                    "nvmlDeviceGetHandleByIndex_v2"));
    char text[NVML_DEVICE_UUID_V2_BUFFER_SIZE] = {};
    MIGWARDEN_RETURN_IF_ERROR(check(api_.nvmlDeviceGetUUID(device_, text, sizeof text), "nvmlDeviceGetUUID"));
    gpu.uuid = fromBuffer(text, sizeof text);
    char name[NVML_DEVICE_NAME_V2_BUFFER_SIZE] = {};
    MIGWARDEN_RETURN_IF_ERROR(check(api_.nvmlDeviceGetName(device_, name, sizeof name), "nvmlDeviceGetName"));
    gpu.product = fromBuffer(name, sizeof name);
    nvmlPciInfo_t pci{};
    MIGWARDEN_RETURN_IF_ERROR(check(api_.nvmlDeviceGetPciInfo_v3(device_, &pci), "nvmlDeviceGetPciInfo_v3"));
    gpu.pciDeviceId = formatPciDeviceId(pci.pciDeviceId);
    int major = 0, minor = 0;
    MIGWARDEN_RETURN_IF_ERROR(check(api_.nvmlDeviceGetCudaComputeCapability(device_, &major, &minor),
                                    "nvmlDeviceGetCudaComputeCapability"));
    gpu.computeCapability = std::to_string(major) + "." + std::to_string(minor);
    nvmlMemory_t memory{};
    MIGWARDEN_RETURN_IF_ERROR(check(api_.nvmlDeviceGetMemoryInfo(device_, &memory), "nvmlDeviceGetMemoryInfo"));
    totalMemoryBytes_ = memory.total;
    gpu.memoryMiB = static_cast<int64_t>(memory.total / kMiB);
    gpu.healthy = true;

    unsigned int current = NVML_DEVICE_MIG_DISABLE, pending = NVML_DEVICE_MIG_DISABLE;
    nvmlReturn_t rc = api_.nvmlDeviceGetMigMode(device_, &current, &pending);
    if (rc == NVML_ERROR_NOT_SUPPORTED) {  // not MIG capable: a whole GPU
      gpu.migMode = "disabled";
      migChangePending = false;
      return Status::Ok();
    }
    MIGWARDEN_RETURN_IF_ERROR(check(rc, "nvmlDeviceGetMigMode"));
    const bool enabled = current == NVML_DEVICE_MIG_ENABLE;
    gpu.migMode = enabled ? "enabled" : "disabled";
    migChangePending = current != pending;
    if (!enabled) return Status::Ok();
    return readMigDevices(gpu);
  }

 private:
  Status check(nvmlReturn_t rc, std::string_view fn) const { return lib_.check(rc, call(fn, index_)); }
  Status check(nvmlReturn_t rc, std::string_view fn, unsigned int slot) const {
    return lib_.check(rc, call(fn, index_, slot));
  }

  Status readMigDevices(ledger::Gpu& gpu) {
    unsigned int slots = 0;
    MIGWARDEN_RETURN_IF_ERROR(check(api_.nvmlDeviceGetMaxMigDeviceCount(device_, &slots),
                                    "nvmlDeviceGetMaxMigDeviceCount"));
    if (slots > limits_.maxMigDevicesPerGpu) {
      return Status::ResourceExhausted(call("nvmlDeviceGetMaxMigDeviceCount", index_) + ": " +
                                       std::to_string(slots) + " MIG device slots exceed the limit of " +
                                       std::to_string(limits_.maxMigDevicesPerGpu));
    }
    for (unsigned int slot = 0; slot < slots; ++slot) {
      nvmlDevice_t mig = nullptr;
      nvmlReturn_t rc = api_.nvmlDeviceGetMigDeviceHandleByIndex(device_, slot, &mig);
      if (rc == NVML_ERROR_NOT_FOUND) continue;  // empty slot
      MIGWARDEN_RETURN_IF_ERROR(check(rc, "nvmlDeviceGetMigDeviceHandleByIndex", slot));
      ledger::MigDevice device;
      MIGWARDEN_RETURN_IF_ERROR(readMigDevice(slot, mig, device));
      gpu.migDevices.push_back(std::move(device));
    }
    std::sort(gpu.migDevices.begin(), gpu.migDevices.end(), [](const auto& a, const auto& b) {
      return std::tie(a.placement.start, a.giId, a.ciId) < std::tie(b.placement.start, b.giId, b.ciId);
    });
    return Status::Ok();
  }

  Status readMigDevice(unsigned int slot, nvmlDevice_t mig, ledger::MigDevice& out) {
    char uuid[NVML_DEVICE_UUID_V2_BUFFER_SIZE] = {};
    MIGWARDEN_RETURN_IF_ERROR(check(api_.nvmlDeviceGetUUID(mig, uuid, sizeof uuid), "nvmlDeviceGetUUID", slot));
    out.uuid = fromBuffer(uuid, sizeof uuid);
    unsigned int giId = 0, ciId = 0;
    MIGWARDEN_RETURN_IF_ERROR(check(api_.nvmlDeviceGetGpuInstanceId(mig, &giId), "nvmlDeviceGetGpuInstanceId", slot));
    MIGWARDEN_RETURN_IF_ERROR(
        check(api_.nvmlDeviceGetComputeInstanceId(mig, &ciId), "nvmlDeviceGetComputeInstanceId", slot));
    out.giId = giId;
    out.ciId = ciId;
    out.healthy = true;

    nvmlGpuInstance_t gi = nullptr;
    MIGWARDEN_RETURN_IF_ERROR(
        check(api_.nvmlDeviceGetGpuInstanceById(device_, giId, &gi), "nvmlDeviceGetGpuInstanceById", slot));
    nvmlGpuInstanceInfo_t giInfo{};
    MIGWARDEN_RETURN_IF_ERROR(check(api_.nvmlGpuInstanceGetInfo(gi, &giInfo), "nvmlGpuInstanceGetInfo", slot));
    out.placement = {giInfo.placement.start, giInfo.placement.size};
    nvmlComputeInstance_t ci = nullptr;
    MIGWARDEN_RETURN_IF_ERROR(check(api_.nvmlGpuInstanceGetComputeInstanceById(gi, ciId, &ci),
                                    "nvmlGpuInstanceGetComputeInstanceById", slot));
    nvmlComputeInstanceInfo_t ciInfo{};
    MIGWARDEN_RETURN_IF_ERROR(
        check(api_.nvmlComputeInstanceGetInfo_v2(ci, &ciInfo), "nvmlComputeInstanceGetInfo_v2", slot));

    auto giProfile = findGiProfile(giInfo.profileId, slot);
    if (!giProfile.ok()) return giProfile.status();
    auto ciSlices = findCiSliceCount(gi, giInfo.profileId, ciInfo.profileId, slot);
    if (!ciSlices.ok()) return ciSlices.status();
    auto name = migProfileName({.giProfileEnum = giProfile->profileEnum,
                                .giSliceCount = giProfile->info.sliceCount,
                                .ciSliceCount = *ciSlices,
                                .giMemoryMiB = giProfile->info.memorySizeMB,
                                .gpuTotalMemoryBytes = totalMemoryBytes_});
    if (!name.ok()) return name.status().withContext(call("MIG profile of", index_, slot));
    out.profile = std::move(*name);
    return Status::Ok();
  }

  Result<GiProfile> findGiProfile(unsigned int profileId, unsigned int slot) {
    if (!giProfilesLoaded_) {
      for (unsigned int p = 0; p < kMaxProfileEnum; ++p) {
        GiProfile profile{.profileEnum = p};
        nvmlReturn_t rc = api_.nvmlDeviceGetGpuInstanceProfileInfo(device_, p, &profile.info);
        if (rc == NVML_ERROR_INVALID_ARGUMENT) break;  // past the last profile this driver knows
        if (rc == NVML_ERROR_NOT_SUPPORTED) continue;  // not on this GPU
        MIGWARDEN_RETURN_IF_ERROR(check(rc, "nvmlDeviceGetGpuInstanceProfileInfo"));
        giProfiles_.push_back(profile);
      }
      giProfilesLoaded_ = true;
    }
    for (const GiProfile& profile : giProfiles_) {
      if (profile.info.id == profileId) return profile;
    }
    return Status::Unavailable(call("nvmlDeviceGetGpuInstanceProfileInfo", index_, slot) +
                               ": no GPU instance profile has id " + std::to_string(profileId));
  }

  Result<unsigned int> findCiSliceCount(nvmlGpuInstance_t gi, unsigned int giProfileId, unsigned int ciProfileId,
                                        unsigned int slot) {
    const auto key = std::make_pair(giProfileId, ciProfileId);
    if (auto it = ciSlices_.find(key); it != ciSlices_.end()) return it->second;
    for (unsigned int p = 0; p < kMaxProfileEnum; ++p) {
      nvmlComputeInstanceProfileInfo_t info{};
      nvmlReturn_t rc = api_.nvmlGpuInstanceGetComputeInstanceProfileInfo(
          gi, p, NVML_COMPUTE_INSTANCE_ENGINE_PROFILE_SHARED, &info);
      if (rc == NVML_ERROR_INVALID_ARGUMENT) break;
      if (rc == NVML_ERROR_NOT_SUPPORTED) continue;
      MIGWARDEN_RETURN_IF_ERROR(check(rc, "nvmlGpuInstanceGetComputeInstanceProfileInfo", slot));
      if (info.id == ciProfileId) {
        ciSlices_[key] = info.sliceCount;
        return info.sliceCount;
      }
    }
    return Status::Unavailable(call("nvmlGpuInstanceGetComputeInstanceProfileInfo", index_, slot) +
                               ": no compute instance profile has id " + std::to_string(ciProfileId));
  }

  const NvmlLibrary& lib_;
  const NvmlApi& api_;
  unsigned int index_;
  const NvmlInventoryLimits& limits_;
  nvmlDevice_t device_ = nullptr;
  uint64_t totalMemoryBytes_ = 0;
  bool giProfilesLoaded_ = false;
  std::vector<GiProfile> giProfiles_;
  std::map<std::pair<unsigned int, unsigned int>, unsigned int> ciSlices_;
};

}  // namespace

std::string formatCudaDriverVersion(int version) {
  return std::to_string(version / 1000) + "." + std::to_string((version % 1000) / 10);
}

std::string formatPciDeviceId(unsigned int pciDeviceId) {
  char text[16];
  std::snprintf(text, sizeof text, "0x%08X", pciDeviceId);
  return text;
}

NvmlInventorySource::NvmlInventorySource(std::shared_ptr<const NvmlLibrary> nvml, NvmlInventoryLimits limits)
    : nvml_(std::move(nvml)), limits_(limits) {}

Result<GpuInventory> NvmlInventorySource::read() {
  auto snapshot = readSnapshot();
  if (!snapshot.ok()) return snapshot.status();
  return std::move(snapshot->inventory);
}

Result<NvmlSnapshot> NvmlInventorySource::readSnapshot() {
  const NvmlApi& api = nvml_->api();
  NvmlSnapshot snapshot;
  char driver[NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE] = {};
  MIGWARDEN_RETURN_IF_ERROR(
      nvml_->check(api.nvmlSystemGetDriverVersion(driver, sizeof driver), "nvmlSystemGetDriverVersion"));
  snapshot.inventory.driverVersion = fromBuffer(driver, sizeof driver);
  if (nvml_->hasCudaDriverVersion()) {
    int cuda = 0;
    nvmlReturn_t rc = api.nvmlSystemGetCudaDriverVersion_v2(&cuda);
    // It asks libcuda.so.1 (cuDriverGetVersion): a node with NVML but no CUDA driver library
    // says LIBRARY_NOT_FOUND, which means "unknown", not a failed read.
    if (rc != NVML_ERROR_LIBRARY_NOT_FOUND && rc != NVML_ERROR_NOT_SUPPORTED) {
      MIGWARDEN_RETURN_IF_ERROR(nvml_->check(rc, "nvmlSystemGetCudaDriverVersion_v2"));
      snapshot.inventory.cudaDriverVersion = formatCudaDriverVersion(cuda);
    }
  }

  unsigned int count = 0;
  MIGWARDEN_RETURN_IF_ERROR(nvml_->check(api.nvmlDeviceGetCount_v2(&count), "nvmlDeviceGetCount_v2"));
  if (count > limits_.maxGpus) {
    return Status::ResourceExhausted("nvmlDeviceGetCount_v2: " + std::to_string(count) +
                                     " GPUs exceed the limit of " + std::to_string(limits_.maxGpus));
  }
  for (unsigned int index = 0; index < count; ++index) {
    ledger::Gpu gpu;
    bool pending = false;
    MIGWARDEN_RETURN_IF_ERROR(GpuReader(*nvml_, index, limits_).read(gpu, pending));
    if (pending) snapshot.migChangePendingGpus.push_back(gpu.uuid);
    snapshot.inventory.gpus.push_back(std::move(gpu));
  }
  return snapshot;
}

}  // namespace migwarden::agent::nvml
