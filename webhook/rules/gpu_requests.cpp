#include "webhook/rules/gpu_requests.h"

#include <algorithm>

namespace migwarden::rules {

bool isMigResource(std::string_view resource) {
  return resource.size() > kMigResourcePrefix.size() && resource.substr(0, kMigResourcePrefix.size()) == kMigResourcePrefix;
}

bool isGpuResource(std::string_view resource) { return resource == kWholeGpuResource || isMigResource(resource); }

bool PodGpuRequests::requestsGpu(const admission::Container& container) const {
  return std::any_of(perContainer.begin(), perContainer.end(),
                     [&](const ContainerGpuRequest& r) { return r.container == &container; });
}

namespace {

// The whole-device count of one GPU resource of one container (0 when absent).
Result<int64_t> countOf(const admission::Container& c, const std::string& resource) {
  auto limit = c.limits.find(resource);
  auto request = c.requests.find(resource);
  std::optional<int64_t> limitCount, requestCount;
  if (limit != c.limits.end()) {
    auto n = admission::wholeDevices(limit->second, c.resourceField("limits", resource));
    if (!n.ok()) return n.status();
    limitCount = *n;
  }
  if (request != c.requests.end()) {
    auto n = admission::wholeDevices(request->second, c.resourceField("requests", resource));
    if (!n.ok()) return n.status();
    requestCount = *n;
  }
  if (limitCount && requestCount && *limitCount != *requestCount)
    return Status::InvalidArgument(c.resourceField("requests", resource) + ": " + std::to_string(*requestCount) +
                                   " must equal the limit " + std::to_string(*limitCount) +
                                   " (devices cannot be overcommitted)");
  int64_t n = limitCount ? *limitCount : requestCount.value_or(0);
  if (n < 0) return Status::InvalidArgument(c.resourceField("limits", resource) + ": must not be negative");
  return n;
}

}  // namespace

Result<PodGpuRequests> gpuRequests(const admission::Pod& pod) {
  PodGpuRequests out;
  ledger::ResourceCounts initMax, regularSum;
  Status failure = Status::Ok();
  pod.forEachContainer([&](const admission::Container& c) {
    if (!failure.ok()) return;
    std::vector<std::string> resources;
    for (const auto& [name, q] : c.limits)
      if (isGpuResource(name)) resources.push_back(name);
    for (const auto& [name, q] : c.requests)
      if (isGpuResource(name) && !c.limits.count(name)) resources.push_back(name);
    for (const auto& resource : resources) {
      auto n = countOf(c, resource);
      if (!n.ok()) {
        failure = n.status();
        return;
      }
      if (*n == 0) continue;
      out.perContainer.push_back({&c, resource, *n});
      if (c.type == admission::ContainerType::kInit)
        initMax[resource] = std::max(initMax[resource], *n);
      else if (c.type == admission::ContainerType::kContainer)
        regularSum[resource] += *n;
    }
  });
  if (!failure.ok()) return failure;
  for (const auto& [resource, n] : regularSum) out.podNeeds[resource] = n;
  for (const auto& [resource, n] : initMax) out.podNeeds[resource] = std::max(out.podNeeds[resource], n);
  return out;
}

}  // namespace migwarden::rules
