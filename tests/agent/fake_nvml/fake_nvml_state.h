// The state behind the fake libnvidia-ml.so.1: the current Config (re-read whenever the
// file's mtime/size/inode changes, so a test can atomically rewrite it under a running
// agent), per-call counters for failAt, handles, event sets and the ids of events already
// delivered (each event is delivered once per nvmlInit, across config reloads).
//
// Handles are tagged integers, not pointers into the config, so a reload never leaves a
// dangling handle: a stale one decodes to an index that is checked against the current
// config (INVALID_ARGUMENT when out of range).
//
// Thread-safety: every public member takes the mutex; the exported C functions are as
// thread-safe as NVML's. This is process-wide state by necessity (a C ABI has nowhere else
// to keep it); it is test code only.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "tests/agent/fake_nvml/fake_nvml_config.h"
#include "webhook/agent/nvml/nvml_types.h"

namespace migwarden::fakenvml {

// A decoded handle: gpu index, and MIG slot / GI id / CI id where the kind has them.
struct DeviceRef {
  const Gpu* gpu = nullptr;
  unsigned int gpuIndex = 0;
  const MigDevice* mig = nullptr;  // null for a physical GPU handle
};

struct EventSet {
  std::map<unsigned int, unsigned long long> masks;  // gpu index -> registered types
};

class FakeNvml {
 public:
  static FakeNvml& instance();

  nvmlReturn_t init();
  nvmlReturn_t shutdown();

  // Runs `f(config)` under the lock after a refresh and the failAt check for `call`.
  // Returns NVML_ERROR_UNINITIALIZED before init.
  template <typename F>
  nvmlReturn_t with(const char* call, F&& f) {
    std::lock_guard lock(mu_);
    if (refs_ == 0) return NVML_ERROR_UNINITIALIZED;
    refreshLocked();
    if (nvmlReturn_t rc = injectedFailureLocked(call); rc != NVML_SUCCESS) return rc;
    return f(config_);
  }

  // Handle encoding (call under with()).
  static nvmlDevice_t gpuHandle(unsigned int gpu);
  static nvmlDevice_t migHandle(unsigned int gpu, unsigned int migIndex);
  static nvmlGpuInstance_t giHandle(unsigned int gpu, unsigned int migIndex);
  static nvmlComputeInstance_t ciHandle(unsigned int gpu, unsigned int migIndex);
  bool decode(nvmlDevice_t device, DeviceRef& out) const;
  bool decode(nvmlGpuInstance_t gi, DeviceRef& out) const;
  bool decode(nvmlComputeInstance_t ci, DeviceRef& out) const;

  nvmlEventSet_t createSet();
  EventSet* findSet(nvmlEventSet_t set);  // null when unknown
  bool freeSet(nvmlEventSet_t set);
  // Takes the first undelivered event registered in `set`; polls the file until `timeout`.
  nvmlReturn_t waitEvent(nvmlEventSet_t set, nvmlEventData_t* data, std::chrono::milliseconds timeout);

 private:
  void refreshLocked();
  bool loadLocked();
  nvmlReturn_t injectedFailureLocked(const std::string& call);
  nvmlReturn_t takeEventLocked(nvmlEventSet_t set, nvmlEventData_t* data);

  std::mutex mu_;
  int refs_ = 0;
  std::string path_;
  struct FileId {
    int64_t mtimeNs = -1;
    int64_t size = -1;
    uint64_t inode = 0;
    bool operator==(const FileId&) const = default;
  } fileId_;
  Config config_;
  std::map<std::string, unsigned int> callCounts_;
  std::set<std::string> delivered_;
  std::map<nvmlEventSet_t, std::unique_ptr<EventSet>> sets_;
};

}  // namespace migwarden::fakenvml
