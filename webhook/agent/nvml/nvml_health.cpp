#include "webhook/agent/nvml/nvml_health.h"

#include <algorithm>
#include <charconv>
#include <climits>
#include <cstring>

namespace migwarden::agent::nvml {
namespace {

constexpr unsigned long long kCriticalEventTypes =
    nvmlEventTypeXidCriticalError | nvmlEventTypeDoubleBitEccError | nvmlEventTypeSingleBitEccError;
constexpr unsigned int kMaxMigSlots = 64;

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t");
  return std::string(text.substr(first, last - first + 1));
}

std::string uuidOf(const NvmlApi& api, nvmlDevice_t device) {
  char uuid[NVML_DEVICE_UUID_V2_BUFFER_SIZE] = {};
  if (api.nvmlDeviceGetUUID(device, uuid, sizeof uuid) != NVML_SUCCESS) return {};
  return std::string(uuid, strnlen(uuid, sizeof uuid));
}

std::string instanceText(unsigned int id) {
  return id == kNvmlInstanceIdNotAttributable ? std::string("-") : std::to_string(id);
}

}  // namespace

std::set<uint64_t> defaultIgnoredXids() { return {13, 31, 43, 45, 68, 109}; }

Result<std::set<uint64_t>> parseXidList(std::string_view text) {
  std::set<uint64_t> xids;
  size_t position = 0;
  for (int item = 0; position <= text.size(); ++item) {
    size_t comma = text.find(',', position);
    if (comma == std::string_view::npos) comma = text.size();
    const std::string value = trim(text.substr(position, comma - position));
    position = comma + 1;
    if (value.empty()) {
      if (comma == text.size() && item == 0) break;  // "" = empty list
      return Status::InvalidArgument("XID list item " + std::to_string(item) + ": empty");
    }
    uint64_t xid = 0;
    auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), xid);
    if (ec != std::errc() || end != value.data() + value.size()) {
      return Status::InvalidArgument("XID list item " + std::to_string(item) + ": \"" + value +
                                     "\" is not a non-negative integer");
    }
    xids.insert(xid);
  }
  return xids;
}

Result<std::unique_ptr<NvmlHealthEvents>> NvmlHealthEvents::create(std::shared_ptr<const NvmlLibrary> nvml,
                                                                   NvmlHealthOptions options) {
  if (!nvml->hasEvents()) {
    return Status::FailedPrecondition("NVML health events not available: " + nvml->path() +
                                      " does not export the nvmlEventSet* functions");
  }
  nvmlEventSet_t set = nullptr;
  MIGWARDEN_RETURN_IF_ERROR(nvml->check(nvml->api().nvmlEventSetCreate(&set), "nvmlEventSetCreate"));
  std::unique_ptr<NvmlHealthEvents> events(new NvmlHealthEvents(std::move(nvml), std::move(options), set));
  MIGWARDEN_RETURN_IF_ERROR(events->registerGpus());
  return events;
}

NvmlHealthEvents::~NvmlHealthEvents() { nvml_->api().nvmlEventSetFree(set_); }

Status NvmlHealthEvents::registerGpus() {
  const NvmlApi& api = nvml_->api();
  unsigned int count = 0;
  MIGWARDEN_RETURN_IF_ERROR(nvml_->check(api.nvmlDeviceGetCount_v2(&count), "nvmlDeviceGetCount_v2"));
  count = std::min(count, options_.maxGpus);
  for (unsigned int index = 0; index < count; ++index) {
    const std::string where = "(gpu " + std::to_string(index) + ")";
    nvmlDevice_t device = nullptr;
    MIGWARDEN_RETURN_IF_ERROR(
        nvml_->check(api.nvmlDeviceGetHandleByIndex_v2(index, &device), "nvmlDeviceGetHandleByIndex_v2" + where));
    unsigned long long supported = 0;
    nvmlReturn_t rc = api.nvmlDeviceGetSupportedEventTypes(device, &supported);
    if (rc == NVML_ERROR_NOT_SUPPORTED) supported = 0;
    else MIGWARDEN_RETURN_IF_ERROR(nvml_->check(rc, "nvmlDeviceGetSupportedEventTypes" + where));
    const unsigned long long wanted = supported & kCriticalEventTypes;
    if (wanted != 0) {
      rc = api.nvmlDeviceRegisterEvents(device, wanted, set_);
      // NOT_SUPPORTED leaves the set usable with nothing registered for this GPU.
      if (rc != NVML_ERROR_NOT_SUPPORTED) {
        MIGWARDEN_RETURN_IF_ERROR(nvml_->check(rc, "nvmlDeviceRegisterEvents" + where));
        continue;
      }
    }
    unmonitoredGpus_.push_back(uuidOf(api, device));
  }
  return Status::Ok();
}

Result<std::vector<HealthEvent>> NvmlHealthEvents::wait(std::chrono::milliseconds timeout) {
  const NvmlApi& api = nvml_->api();
  const auto ms = std::clamp<long long>(timeout.count(), 0, UINT_MAX);
  std::vector<HealthEvent> events;
  nvmlEventData_t data{};
  nvmlReturn_t rc = api.nvmlEventSetWait_v2(set_, &data, static_cast<unsigned int>(ms));
  if (rc == NVML_ERROR_TIMEOUT) return events;
  MIGWARDEN_RETURN_IF_ERROR(nvml_->check(rc, "nvmlEventSetWait_v2"));
  attribute(data, events);
  // Drain what is already queued without blocking. An error here is left for the next
  // wait() to report: the events in hand must not be lost.
  for (unsigned int i = 0; i < options_.maxEventsPerWait; ++i) {
    data = {};
    if (api.nvmlEventSetWait_v2(set_, &data, 0) != NVML_SUCCESS) break;
    attribute(data, events);
  }
  return events;
}

void NvmlHealthEvents::attribute(const nvmlEventData_t& data, std::vector<HealthEvent>& out) const {
  // Like the device plugin: ECC events are registered but only XIDs change health.
  if ((data.eventType & nvmlEventTypeXidCriticalError) == 0) return;
  const uint64_t xid = data.eventData;
  if (options_.ignoredXids.contains(xid)) return;

  const std::string gpuUuid = uuidOf(nvml_->api(), data.device);
  std::string reason = "XID " + std::to_string(xid) + " (critical error";
  if (data.gpuInstanceId != kNvmlInstanceIdNotAttributable) {
    reason += ", GPU instance " + instanceText(data.gpuInstanceId) + ", compute instance " +
              instanceText(data.computeInstanceId);
    std::vector<std::string> migs = migDevicesOf(data.device, data.gpuInstanceId, data.computeInstanceId);
    if (!migs.empty()) {
      for (std::string& uuid : migs) out.push_back({std::move(uuid), xid, reason + ")"});
      return;
    }
    reason += ", no such MIG device: whole GPU";
  }
  out.push_back({gpuUuid, xid, reason + ")"});
}

std::vector<std::string> NvmlHealthEvents::migDevicesOf(nvmlDevice_t gpu, unsigned int giId, unsigned int ciId) const {
  const NvmlApi& api = nvml_->api();
  std::vector<std::string> uuids;
  unsigned int slots = 0;
  if (api.nvmlDeviceGetMaxMigDeviceCount(gpu, &slots) != NVML_SUCCESS) return {};
  slots = std::min(slots, kMaxMigSlots);
  for (unsigned int slot = 0; slot < slots; ++slot) {
    nvmlDevice_t mig = nullptr;
    nvmlReturn_t rc = api.nvmlDeviceGetMigDeviceHandleByIndex(gpu, slot, &mig);
    if (rc == NVML_ERROR_NOT_FOUND) continue;
    if (rc != NVML_SUCCESS) return {};  // unsure: the caller names the whole GPU
    unsigned int gi = 0, ci = 0;
    if (api.nvmlDeviceGetGpuInstanceId(mig, &gi) != NVML_SUCCESS ||
        api.nvmlDeviceGetComputeInstanceId(mig, &ci) != NVML_SUCCESS) {
      return {};
    }
    if (gi != giId || (ciId != kNvmlInstanceIdNotAttributable && ci != ciId)) continue;
    std::string uuid = uuidOf(api, mig);
    if (uuid.empty()) return {};
    uuids.push_back(std::move(uuid));
  }
  return uuids;
}

}  // namespace migwarden::agent::nvml
