#include "tests/agent/support/fake_checkpoint.h"

#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <stdexcept>

#include <nlohmann/json.hpp>

namespace migwarden::testing {

std::string kubeletCheckpointJson(const std::vector<FakeCheckpointEntry>& entries, FakeCheckpointFormat format) {
  nlohmann::json podEntries = nlohmann::json::array();
  std::map<std::string, std::set<std::string>> registered;
  for (const auto& e : entries) {
    nlohmann::json entry;
    entry["PodUID"] = e.podUid;
    entry["ContainerName"] = e.container;
    entry["ResourceName"] = e.resource;
    if (format == FakeCheckpointFormat::kV1) {
      entry["DeviceIDs"] = e.deviceIds;
    } else {
      entry["DeviceIDs"] = nlohmann::json::object({{std::to_string(e.numaNode), e.deviceIds}});
    }
    // A serialized ContainerAllocateResponse; the agent never reads it.
    entry["AllocResp"] = "CgA=";
    podEntries.push_back(std::move(entry));
    registered[e.resource].insert(e.deviceIds.begin(), e.deviceIds.end());
  }
  nlohmann::json registeredJson = nlohmann::json::object();
  for (const auto& [resource, ids] : registered) registeredJson[resource] = std::vector<std::string>(ids.begin(), ids.end());
  nlohmann::json doc;
  doc["Data"] = {{"PodDeviceEntries", std::move(podEntries)}, {"RegisteredDevices", std::move(registeredJson)}};
  doc["Checksum"] = 1234567890;  // not verified by the agent
  return doc.dump();
}

void writeKubeletCheckpoint(const std::string& path, const std::vector<FakeCheckpointEntry>& entries,
                            FakeCheckpointFormat format) {
  const std::string temp = path + ".tmp";
  {
    std::ofstream out(temp, std::ios::binary | std::ios::trunc);
    out << kubeletCheckpointJson(entries, format);
    if (!out) throw std::runtime_error("cannot write " + temp);
  }
  if (std::rename(temp.c_str(), path.c_str()) != 0) throw std::runtime_error("cannot rename " + temp + " to " + path);
}

}  // namespace migwarden::testing
