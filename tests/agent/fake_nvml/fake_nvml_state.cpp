#include "tests/agent/fake_nvml/fake_nvml_state.h"

#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>

namespace migwarden::fakenvml {
namespace {

// Handle layout: kind in bits 56..63, gpu index + 1 in bits 16..31, MIG index + 1 in bits 0..15.
constexpr uintptr_t kGpuKind = 1, kMigKind = 2, kGiKind = 3, kCiKind = 4;

uintptr_t encode(uintptr_t kind, unsigned int gpu, unsigned int mig) {
  return (kind << 56) | (uintptr_t(gpu + 1) << 16) | uintptr_t(mig + 1);
}

bool decodeRaw(uintptr_t value, uintptr_t kind, unsigned int& gpu, unsigned int& mig) {
  if ((value >> 56) != kind) return false;
  const unsigned int g = (value >> 16) & 0xFFFF, m = value & 0xFFFF;
  if (g == 0) return false;
  gpu = g - 1;
  mig = m - 1;  // wraps to UINT_MAX for "no MIG index"
  return true;
}

constexpr auto kPollInterval = std::chrono::milliseconds(10);

}  // namespace

FakeNvml& FakeNvml::instance() {
  static FakeNvml fake;
  return fake;
}

nvmlReturn_t FakeNvml::init() {
  std::lock_guard lock(mu_);
  if (refs_ > 0) {
    ++refs_;
    return NVML_SUCCESS;
  }
  const char* path = std::getenv("MIGWARDEN_FAKE_NVML_CONFIG");
  if (path == nullptr || *path == '\0') {
    std::fprintf(stderr, "fake NVML: MIGWARDEN_FAKE_NVML_CONFIG is not set\n");
    return NVML_ERROR_DRIVER_NOT_LOADED;
  }
  path_ = path;
  fileId_ = {};
  config_ = {};
  callCounts_.clear();
  delivered_.clear();
  if (!loadLocked()) return NVML_ERROR_UNKNOWN;
  if (nvmlReturn_t rc = injectedFailureLocked("nvmlInit_v2"); rc != NVML_SUCCESS) return rc;
  refs_ = 1;
  return NVML_SUCCESS;
}

nvmlReturn_t FakeNvml::shutdown() {
  std::lock_guard lock(mu_);
  if (refs_ == 0) return NVML_ERROR_UNINITIALIZED;
  if (--refs_ == 0) sets_.clear();
  return NVML_SUCCESS;
}

bool FakeNvml::loadLocked() {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    std::fprintf(stderr, "fake NVML: cannot stat %s\n", path_.c_str());
    return false;
  }
  std::ifstream in(path_);
  std::stringstream text;
  text << in.rdbuf();
  Config parsed;
  std::string error;
  if (!in || !parseConfig(text.str(), parsed, error)) {
    std::fprintf(stderr, "fake NVML: %s: %s\n", path_.c_str(), error.empty() ? "cannot read" : error.c_str());
    return false;
  }
  config_ = std::move(parsed);
  callCounts_.clear();  // a new config is a new scenario for failAt's "nth"
  fileId_ = {int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec, int64_t(st.st_size),
             uint64_t(st.st_ino)};
  return true;
}

void FakeNvml::refreshLocked() {
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) return;  // keep serving the last good config
  const FileId now{int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec, int64_t(st.st_size),
                   uint64_t(st.st_ino)};
  if (now == fileId_) return;
  if (!loadLocked()) fileId_ = now;  // do not retry a broken file on every call
}

nvmlReturn_t FakeNvml::injectedFailureLocked(const std::string& call) {
  const unsigned int n = ++callCounts_[call];
  for (const Failure& failure : config_.failures) {
    if (failure.call == call && (failure.nth == 0 || failure.nth == n)) return failure.error;
  }
  return NVML_SUCCESS;
}

nvmlDevice_t FakeNvml::gpuHandle(unsigned int gpu) {
  return reinterpret_cast<nvmlDevice_t>(encode(kGpuKind, gpu, 0xFFFFFFFFu));
}
nvmlDevice_t FakeNvml::migHandle(unsigned int gpu, unsigned int migIndex) {
  return reinterpret_cast<nvmlDevice_t>(encode(kMigKind, gpu, migIndex));
}
nvmlGpuInstance_t FakeNvml::giHandle(unsigned int gpu, unsigned int migIndex) {
  return reinterpret_cast<nvmlGpuInstance_t>(encode(kGiKind, gpu, migIndex));
}
nvmlComputeInstance_t FakeNvml::ciHandle(unsigned int gpu, unsigned int migIndex) {
  return reinterpret_cast<nvmlComputeInstance_t>(encode(kCiKind, gpu, migIndex));
}

bool FakeNvml::decode(nvmlDevice_t device, DeviceRef& out) const {
  const auto value = reinterpret_cast<uintptr_t>(device);
  unsigned int gpu = 0, mig = 0;
  const bool isGpu = decodeRaw(value, kGpuKind, gpu, mig);
  if (!isGpu && !decodeRaw(value, kMigKind, gpu, mig)) return false;
  if (gpu >= config_.gpus.size()) return false;
  out = {&config_.gpus[gpu], gpu, nullptr};
  if (isGpu) return true;
  if (mig >= config_.gpus[gpu].migDevices.size()) return false;
  out.mig = &config_.gpus[gpu].migDevices[mig];
  return true;
}

static bool decodeInstance(const Config& config, uintptr_t value, uintptr_t kind, DeviceRef& out) {
  unsigned int gpu = 0, mig = 0;
  if (!decodeRaw(value, kind, gpu, mig) || gpu >= config.gpus.size() ||
      mig >= config.gpus[gpu].migDevices.size()) {
    return false;
  }
  out = {&config.gpus[gpu], gpu, &config.gpus[gpu].migDevices[mig]};
  return true;
}

bool FakeNvml::decode(nvmlGpuInstance_t gi, DeviceRef& out) const {
  return decodeInstance(config_, reinterpret_cast<uintptr_t>(gi), kGiKind, out);
}
bool FakeNvml::decode(nvmlComputeInstance_t ci, DeviceRef& out) const {
  return decodeInstance(config_, reinterpret_cast<uintptr_t>(ci), kCiKind, out);
}

nvmlEventSet_t FakeNvml::createSet() {
  auto set = std::make_unique<EventSet>();
  auto handle = reinterpret_cast<nvmlEventSet_t>(set.get());
  sets_[handle] = std::move(set);
  return handle;
}

EventSet* FakeNvml::findSet(nvmlEventSet_t set) {
  auto it = sets_.find(set);
  return it == sets_.end() ? nullptr : it->second.get();
}

bool FakeNvml::freeSet(nvmlEventSet_t set) { return sets_.erase(set) == 1; }

nvmlReturn_t FakeNvml::takeEventLocked(nvmlEventSet_t set, nvmlEventData_t* data) {
  EventSet* events = findSet(set);
  if (events == nullptr || data == nullptr) return NVML_ERROR_INVALID_ARGUMENT;
  for (const Event& event : config_.events) {
    auto mask = events->masks.find(event.gpu);
    if (mask == events->masks.end() || (mask->second & event.type) == 0) continue;
    if (!delivered_.insert(event.id).second) continue;
    *data = {};
    data->device = gpuHandle(event.gpu);
    data->eventType = event.type;
    data->eventData = (event.type & nvmlEventTypeXidCriticalError) != 0 ? event.xid : 0;
    data->gpuInstanceId = event.gi;
    data->computeInstanceId = event.ci;
    return NVML_SUCCESS;
  }
  return NVML_ERROR_TIMEOUT;
}

nvmlReturn_t FakeNvml::waitEvent(nvmlEventSet_t set, nvmlEventData_t* data, std::chrono::milliseconds timeout) {
  // Emulates a blocking wait by polling the config file, so an end-to-end test that
  // appends an event sees it delivered within kPollInterval.
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    {
      std::lock_guard lock(mu_);
      if (refs_ == 0) return NVML_ERROR_UNINITIALIZED;
      refreshLocked();
      if (nvmlReturn_t rc = injectedFailureLocked("nvmlEventSetWait_v2"); rc != NVML_SUCCESS) return rc;
      nvmlReturn_t rc = takeEventLocked(set, data);
      if (rc != NVML_ERROR_TIMEOUT) return rc;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now >= deadline) return NVML_ERROR_TIMEOUT;
    std::this_thread::sleep_for(std::min<std::chrono::steady_clock::duration>(kPollInterval, deadline - now));
  }
}

}  // namespace migwarden::fakenvml
