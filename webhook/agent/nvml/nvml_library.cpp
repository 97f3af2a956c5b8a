#include "webhook/agent/nvml/nvml_library.h"

#include <dlfcn.h>

#include <string>

namespace migwarden::agent::nvml {

Result<std::unique_ptr<NvmlLibrary>> NvmlLibrary::open(std::string path) {
  dlerror();  // clear a stale message
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (handle == nullptr) {
    const char* why = dlerror();
    return Status::Unavailable("NVML not available: cannot load " + path + ": " +
                               (why != nullptr ? why : "unknown dlopen error") +
                               " (is the NVIDIA driver installed and the library mounted?)");
  }
  // From here the destructor owns the handle (dlclose even on a missing symbol).
  std::unique_ptr<NvmlLibrary> lib(new NvmlLibrary(handle, path));

#define MIGWARDEN_NVML_RESOLVE_REQUIRED(name)                                                  \
  lib->api_.name = reinterpret_cast<decltype(&::name)>(dlsym(handle, #name));                  \
  if (lib->api_.name == nullptr) {                                                             \
    return Status::FailedPrecondition("NVML library " + path + " lacks required symbol " #name \
                                      " (driver too old for MIG, or not libnvidia-ml?)");      \
  }
  MIGWARDEN_NVML_REQUIRED_SYMBOLS(MIGWARDEN_NVML_RESOLVE_REQUIRED)
#undef MIGWARDEN_NVML_RESOLVE_REQUIRED

#define MIGWARDEN_NVML_RESOLVE_OPTIONAL(name) \
  lib->api_.name = reinterpret_cast<decltype(&::name)>(dlsym(handle, #name));
  MIGWARDEN_NVML_OPTIONAL_SYMBOLS(MIGWARDEN_NVML_RESOLVE_OPTIONAL)
#undef MIGWARDEN_NVML_RESOLVE_OPTIONAL

  nvmlReturn_t rc = lib->api_.nvmlInit_v2();
  if (rc != NVML_SUCCESS) {
    return Status::Unavailable("NVML not available: nvmlInit_v2 failed in " + path + ": " +
                               lib->describe(rc));
  }
  lib->initialized_ = true;
  return lib;
}

NvmlLibrary::~NvmlLibrary() {
  if (initialized_) api_.nvmlShutdown();
  dlclose(handle_);
}

bool NvmlLibrary::hasEvents() const {
  return api_.nvmlEventSetCreate != nullptr && api_.nvmlDeviceGetSupportedEventTypes != nullptr &&
         api_.nvmlDeviceRegisterEvents != nullptr && api_.nvmlEventSetWait_v2 != nullptr &&
         api_.nvmlEventSetFree != nullptr;
}

std::string NvmlLibrary::describe(nvmlReturn_t rc) const {
  const char* text = api_.nvmlErrorString != nullptr ? api_.nvmlErrorString(rc) : nullptr;
  std::string out = text != nullptr ? text : "unknown error";
  return out + " (NVML error " + std::to_string(rc) + ")";
}

Status NvmlLibrary::check(nvmlReturn_t rc, std::string_view call) const {
  if (rc == NVML_SUCCESS) return Status::Ok();
  return Status::Unavailable(std::string(call) + ": " + describe(rc));
}

}  // namespace migwarden::agent::nvml
