#include "webhook/agent/podresources/device_checkpoint.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "webhook/common/json_util.h"

namespace migwarden::agent {
namespace {

Status appendIdArray(const rapidjson::Value& array, const std::string& path, std::vector<std::string>& out) {
  for (rapidjson::SizeType i = 0; i < array.Size(); ++i) {
    if (!array[i].IsString()) return json::typeError(json::joinIndex(path, i), "string", array[i]);
    out.emplace_back(array[i].GetString(), array[i].GetStringLength());
  }
  return Status::Ok();
}

// DeviceIDs: {"<numa>": [ids]} (current) or [ids] (V1). Returns the format it saw, or
// nullopt when the member is absent/null (a container with no devices of this resource).
Result<std::optional<CheckpointFormat>> decodeDeviceIds(const rapidjson::Value& entry, const std::string& entryPath,
                                                        std::vector<std::string>& out) {
  const std::string path = json::joinPath(entryPath, "DeviceIDs");
  const rapidjson::Value* ids = json::find(entry, "DeviceIDs");
  if (ids == nullptr) return std::optional<CheckpointFormat>();
  if (ids->IsArray()) {
    MIGWARDEN_RETURN_IF_ERROR(appendIdArray(*ids, path, out));
    return std::optional<CheckpointFormat>(CheckpointFormat::kV1);
  }
  if (!ids->IsObject()) return json::typeError(path, "an object of NUMA node -> ids or an array of ids", *ids);
  for (auto it = ids->MemberBegin(); it != ids->MemberEnd(); ++it) {
    const std::string numaPath = json::joinPath(path, std::string(it->name.GetString(), it->name.GetStringLength()));
    if (it->value.IsNull()) continue;
    if (!it->value.IsArray()) return json::typeError(numaPath, "array", it->value);
    MIGWARDEN_RETURN_IF_ERROR(appendIdArray(it->value, numaPath, out));
  }
  return std::optional<CheckpointFormat>(CheckpointFormat::kCurrent);
}

Result<CheckpointEntry> decodeEntry(const rapidjson::Value& value, const std::string& path,
                                    std::optional<CheckpointFormat>& format) {
  if (!value.IsObject()) return json::typeError(path, "object", value);
  CheckpointEntry entry;
  auto uid = json::requireString(value, "PodUID", path);
  if (!uid.ok()) return uid.status();
  auto container = json::requireString(value, "ContainerName", path);
  if (!container.ok()) return container.status();
  auto resource = json::requireString(value, "ResourceName", path);
  if (!resource.ok()) return resource.status();
  entry.podUid = std::move(*uid);
  entry.container = std::move(*container);
  entry.resource = std::move(*resource);
  auto seen = decodeDeviceIds(value, path, entry.deviceIds);
  if (!seen.ok()) return seen.status();
  if (seen->has_value()) {
    if (format.has_value() && *format != **seen) {
      return Status::InvalidArgument(json::joinPath(path, "DeviceIDs") + ": mixes the V1 (array) and current (object) formats");
    }
    format = **seen;
  }
  std::sort(entry.deviceIds.begin(), entry.deviceIds.end());
  entry.deviceIds.erase(std::unique(entry.deviceIds.begin(), entry.deviceIds.end()), entry.deviceIds.end());
  return entry;
}

}  // namespace

Result<DeviceCheckpoint> parseDeviceCheckpoint(std::string_view text) {
  auto doc = json::parse(text);
  if (!doc.ok()) return doc.status();
  if (!doc->IsObject()) return json::typeError("(root)", "object", *doc);
  auto data = json::optionalObject(*doc, "Data", "");
  if (!data.ok()) return data.status();
  if (*data == nullptr) return Status::InvalidArgument("Data: required object is missing");
  auto entries = json::optionalArray(**data, "PodDeviceEntries", "Data");
  if (!entries.ok()) return entries.status();

  DeviceCheckpoint checkpoint;
  std::optional<CheckpointFormat> format;
  if (*entries != nullptr) {
    const rapidjson::Value& array = **entries;
    checkpoint.entries.reserve(array.Size());
    for (rapidjson::SizeType i = 0; i < array.Size(); ++i) {
      auto entry = decodeEntry(array[i], json::joinIndex("Data.PodDeviceEntries", i), format);
      if (!entry.ok()) return entry.status();
      checkpoint.entries.push_back(std::move(*entry));
    }
  }
  checkpoint.format = format.value_or(CheckpointFormat::kCurrent);
  return checkpoint;
}

Result<DeviceCheckpoint> readDeviceCheckpoint(const std::string& path, size_t maxBytes) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    const int err = errno;
    std::string message = path + ": " + std::strerror(err);
    if (err == ENOENT) return Status::NotFound(std::move(message));
    return Status::IOError(std::move(message));
  }
  // Read at most maxBytes + 1 so an oversized file is detected without reading it all.
  std::string contents;
  char buffer[64 * 1024];
  Status failure;
  while (true) {
    const ssize_t n = ::read(fd, buffer, sizeof(buffer));
    if (n < 0) {
      if (errno == EINTR) continue;
      failure = Status::IOError(path + ": read: " + std::strerror(errno));
      break;
    }
    if (n == 0) break;
    contents.append(buffer, static_cast<size_t>(n));
    if (contents.size() > maxBytes) {
      failure = Status::ResourceExhausted(path + ": larger than " + std::to_string(maxBytes) + " bytes");
      break;
    }
  }
  ::close(fd);
  if (!failure.ok()) return failure;
  auto checkpoint = parseDeviceCheckpoint(contents);
  if (!checkpoint.ok()) return checkpoint.status().withContext(path);
  return checkpoint;
}

void assignPodUids(std::vector<ledger::Allocation>& allocations, const std::vector<CheckpointEntry>& entries) {
  using Key = std::tuple<std::string_view, std::string_view, const std::vector<std::string>*>;
  struct KeyLess {
    bool operator()(const Key& a, const Key& b) const {
      if (std::get<0>(a) != std::get<0>(b)) return std::get<0>(a) < std::get<0>(b);
      if (std::get<1>(a) != std::get<1>(b)) return std::get<1>(a) < std::get<1>(b);
      return *std::get<2>(a) < *std::get<2>(b);
    }
  };
  std::map<Key, std::set<std::string_view>, KeyLess> uidsByDevices;
  for (const auto& entry : entries) {
    if (entry.podUid.empty() || entry.deviceIds.empty()) continue;
    uidsByDevices[Key{entry.container, entry.resource, &entry.deviceIds}].insert(entry.podUid);
  }
  for (auto& allocation : allocations) {
    if (!allocation.podUid.empty()) continue;
    auto it = uidsByDevices.find(Key{allocation.container, allocation.resource, &allocation.deviceIds});
    // Two uids for the same devices: one entry is stale and we cannot tell which.
    if (it != uidsByDevices.end() && it->second.size() == 1) allocation.podUid = std::string(*it->second.begin());
  }
}

}  // namespace migwarden::agent
