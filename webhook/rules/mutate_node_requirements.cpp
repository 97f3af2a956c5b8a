#include "webhook/rules/mutate_node_requirements.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "webhook/rules/cuda_need.h"

namespace migwarden::rules {
namespace {

using admission::NodeSelectorRequirement;

NodeSelectorRequirement compare(const std::string& key, std::string_view op, int64_t n) {
  return NodeSelectorRequirement{key, std::string(op), {std::to_string(n)}};
}

void appendEquals(NodeTerm& term, const std::string& key, int64_t n) {
  term.push_back(compare(key, "Gt", n - 1));
  term.push_back(compare(key, "Lt", n + 1));
}

// A Kubernetes label value: at most 63 chars, [A-Za-z0-9._-], alphanumeric at both ends.
bool isLabelValue(std::string_view v) {
  if (v.empty() || v.size() > 63) return false;
  auto alnum = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; };
  if (!alnum(v.front()) || !alnum(v.back())) return false;
  return std::all_of(v.begin(), v.end(), [&](char c) { return alnum(c) || c == '-' || c == '_' || c == '.'; });
}

// GPU Feature Discovery writes the NVML product name with spaces replaced by '-'.
std::string gfdProductValue(std::string_view nvmlName) {
  std::string out(nvmlName);
  std::replace(out.begin(), out.end(), ' ', '-');
  return out;
}

}  // namespace

std::optional<policy::Version> declaredCudaVersion(const policy::Policy& policy, const admission::Pod& pod,
                                                   const PodGpuRequests& gpu) {
  Result<CudaNeed> need = resolveCudaNeed(pod, gpu, policy);
  if (!need.ok()) return std::nullopt;  // the validation rules refuse or warn about it
  return need->version;
}

std::optional<policy::Version> cudaDriverFloor(const policy::Policy& policy, const policy::Version& cuda) {
  std::optional<policy::Version> floor = policy.minDriverFor(cuda);
  if (!floor) return std::nullopt;
  if (policy.data().cuda.allowMinorVersionCompatibility)
    if (const policy::MinorVersionFloor* family = policy.minorVersionFloor(cuda.major()))
      floor = std::min(*floor, family->minDriver);
  return floor;
}

std::vector<NodeTerm> driverAtLeast(const policy::NodeLabels& labels, const policy::Version& floor) {
  const int64_t a = floor.major(), b = floor.minor(), c = floor.patch();
  if (b == 0 && c == 0) return {{compare(labels.driverMajor, "Gt", a - 1)}};
  std::vector<NodeTerm> terms;
  terms.push_back({compare(labels.driverMajor, "Gt", a)});
  NodeTerm sameMajor;
  appendEquals(sameMajor, labels.driverMajor, a);
  if (c == 0) {
    sameMajor.push_back(compare(labels.driverMinor, "Gt", b - 1));
    terms.push_back(std::move(sameMajor));
    return terms;
  }
  NodeTerm newerMinor = sameMajor;
  newerMinor.push_back(compare(labels.driverMinor, "Gt", b));
  terms.push_back(std::move(newerMinor));
  NodeTerm sameMinor = sameMajor;
  appendEquals(sameMinor, labels.driverMinor, b);
  sameMinor.push_back(compare(labels.driverRevision, "Gt", c - 1));
  terms.push_back(std::move(sameMinor));
  return terms;
}

NodeRequirements nodeRequirements(const policy::Policy& policy, const admission::Pod& pod, const PodGpuRequests& gpu) {
  NodeRequirements out;
  if (gpu.empty()) return out;
  const policy::NodeLabels& labels = policy.data().mutation.nodeLabels;

  // GPU models that have every requested MIG profile.
  std::optional<std::set<const policy::GpuModel*>> models;
  bool unknownResource = false;
  for (const auto& [resource, count] : gpu.podNeeds) {
    if (!isMigResource(resource)) continue;
    std::set<const policy::GpuModel*> withProfile;
    for (const policy::ProfileRef& ref : policy.profilesForResource(resource)) withProfile.insert(ref.gpu);
    if (withProfile.empty()) unknownResource = true;
    if (!models) {
      models = std::move(withProfile);
    } else {
      std::set<const policy::GpuModel*> both;
      for (const auto* m : *models)
        if (withProfile.count(m)) both.insert(m);
      models = std::move(both);
    }
  }
  std::optional<policy::Version> migFloor;
  if (models && !unknownResource && !models->empty()) {
    std::set<std::string> products;
    bool everyModelHasFloor = true;
    for (const policy::GpuModel* m : *models) {
      for (const std::string& name : m->productNames)
        if (std::string v = gfdProductValue(name); isLabelValue(v)) products.insert(v);
      if (m->migMinDriver.empty()) {
        everyModelHasFloor = false;
      } else if (!migFloor || m->migMinDriver < *migFloor) {
        migFloor = m->migMinDriver;
      }
    }
    if (!everyModelHasFloor) migFloor.reset();
    out.products.assign(products.begin(), products.end());
  }

  if (auto cuda = declaredCudaVersion(policy, pod, gpu)) out.driverFloor = cudaDriverFloor(policy, *cuda);
  if (migFloor && (!out.driverFloor || *out.driverFloor < *migFloor)) out.driverFloor = migFloor;

  std::optional<NodeSelectorRequirement> product;
  if (!out.products.empty()) product = NodeSelectorRequirement{labels.product, "In", out.products};
  if (out.driverFloor) {
    out.anyOf = driverAtLeast(labels, *out.driverFloor);
  } else if (product) {
    out.anyOf.emplace_back();
  }
  if (product)
    for (NodeTerm& term : out.anyOf) term.insert(term.begin(), *product);
  return out;
}

bool termImplies(const admission::NodeSelectorTerm& term, const NodeTerm& wanted) {
  auto sameRequirement = [](const NodeSelectorRequirement& a, const NodeSelectorRequirement& b) {
    if (a.key != b.key || a.operator_ != b.operator_) return false;
    std::set<std::string> va(a.values.begin(), a.values.end()), vb(b.values.begin(), b.values.end());
    return va == vb;
  };
  return std::all_of(wanted.begin(), wanted.end(), [&](const NodeSelectorRequirement& w) {
    return std::any_of(term.matchExpressions.begin(), term.matchExpressions.end(),
                       [&](const NodeSelectorRequirement& have) { return sameRequirement(have, w); });
  });
}

}  // namespace migwarden::rules
