#include "webhook/policy/policy.h"

#include <algorithm>
#include <cctype>

#include "webhook/common/crypto.h"
#include "webhook/policy/serializer.h"
#include "webhook/policy/validator.h"

namespace migwarden::policy {

std::string_view actionName(Action a) {
  switch (a) {
    case Action::kDeny: return "deny";
    case Action::kWarn: return "warn";
    case Action::kAudit: return "audit";
  }
  return "deny";
}

std::optional<Action> parseAction(std::string_view text) {
  if (text == "deny") return Action::kDeny;
  if (text == "warn") return Action::kWarn;
  if (text == "audit") return Action::kAudit;
  return std::nullopt;
}

std::string migResourceName(std::string_view profileName) {
  std::string out = "nvidia.com/mig-";
  for (char c : profileName) out += (c == '+' ? '.' : c);
  return out;
}

std::string normalizeGpuName(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  for (char c : name) {
    char u = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    out += (u == ' ' || u == '_') ? '-' : u;
  }
  if (out.rfind("NVIDIA-", 0) == 0) out.erase(0, 7);
  return out;
}

Policy::Policy(PolicyData data) : data_(std::move(data)) {}

Result<std::shared_ptr<const Policy>> Policy::create(PolicyData data, const SourceOrigins* origins) {
  Diagnostics problems = validatePolicy(data, origins);
  if (!problems.empty()) return diagnosticsToStatus(problems);
  std::shared_ptr<Policy> p(new Policy(std::move(data)));
  p->canonical_ = serializeCanonical(p->data_);
  p->digest_ = "sha256:" + crypto::sha256Hex(p->canonical_);
  p->buildIndexes();
  return std::shared_ptr<const Policy>(std::move(p));
}

void Policy::buildIndexes() {
  for (const GpuModel& g : data_.gpus) {
    gpuById_.emplace(g.id, &g);
    gpuByName_.emplace(normalizeGpuName(g.id), &g);
    for (const auto& n : g.productNames) gpuByName_.emplace(normalizeGpuName(n), &g);
    for (uint32_t pci : g.pciDeviceIds) gpuByPci_.emplace(pci, &g);
    for (const MigProfile& p : g.migProfiles) profilesByResource_[p.resourceName].push_back({&g, &p});
  }
  for (const CudaRelease& r : data_.cuda.releases) releases_.push_back(&r);
  std::stable_sort(releases_.begin(), releases_.end(),
                   [](const CudaRelease* a, const CudaRelease* b) { return a->version < b->version; });
  for (const Architecture& a : data_.cuda.architectures) {
    for (const Version& cc : a.computeCapabilities) archByCc_.emplace_back(cc, &a);
  }
  std::sort(archByCc_.begin(), archByCc_.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  // Validated already; the optimize flag matters because every pod without a declared
  // version runs these.
  for (const ImageRule& r : data_.cudaDeclaration.imageRules) {
    imageRegexes_.emplace_back(r.match, std::regex::ECMAScript | std::regex::optimize);
  }
  for (const RuleSpec& r : data_.enforcement.rules) {
    ruleActions_.emplace(r.id, r.action.value_or(data_.enforcement.defaultAction));
  }
  for (const auto& ns : data_.enforcement.ignoredNamespaces) ignored_.emplace(ns, true);
}

const GpuModel* Policy::gpuById(std::string_view id) const {
  auto it = gpuById_.find(id);
  return it == gpuById_.end() ? nullptr : it->second;
}

const GpuModel* Policy::gpuByPciDeviceId(uint32_t pciDeviceId) const {
  auto it = gpuByPci_.find(pciDeviceId);
  return it == gpuByPci_.end() ? nullptr : it->second;
}

const GpuModel* Policy::gpuByName(std::string_view name) const {
  if (const GpuModel* g = gpuById(name)) return g;
  auto it = gpuByName_.find(normalizeGpuName(name));
  return it == gpuByName_.end() ? nullptr : it->second;
}

std::span<const ProfileRef> Policy::profilesForResource(std::string_view resourceName) const {
  auto it = profilesByResource_.find(resourceName);
  if (it == profilesByResource_.end()) return {};
  return it->second;
}

const MigProfile* Policy::profile(const GpuModel& gpu, std::string_view profileName) const {
  for (const MigProfile& p : gpu.migProfiles) {
    if (p.name == profileName) return &p;
  }
  return nullptr;
}

const MigProfile* Policy::profileForResource(const GpuModel& gpu, std::string_view resourceName) const {
  for (const ProfileRef& ref : profilesForResource(resourceName)) {
    if (ref.gpu == &gpu) return ref.profile;
  }
  return nullptr;
}

std::optional<Version> Policy::cudaFromImage(std::string_view image) const {
  // The image string comes from the pod. libstdc++'s regex matcher recurses per
  // character, so an absurdly long reference could exhaust the stack; no real image
  // reference is anywhere near this long.
  if (image.size() > kMaxImageReferenceLength) return std::nullopt;
  for (size_t i = 0; i < imageRegexes_.size(); ++i) {
    std::match_results<std::string_view::const_iterator> m;
    if (!std::regex_search(image.begin(), image.end(), m, imageRegexes_[i])) continue;
    const std::string& spec = data_.cudaDeclaration.imageRules[i].cudaVersion;
    std::string text = spec;
    if (!spec.empty() && spec[0] == '$') text = m[std::stoul(spec.substr(1))].str();
    auto v = Version::parse(text);
    if (v.ok()) return *v;
  }
  return std::nullopt;
}

bool Policy::isIgnoredNamespace(std::string_view ns) const { return ignored_.find(ns) != ignored_.end(); }

int Policy::matchingOverride(std::string_view ruleId, std::string_view ns, const Labels& namespaceLabels,
                             bool* byName) const {
  const auto& overrides = data_.enforcement.overrides;
  for (size_t i = 0; i < overrides.size(); ++i) {
    const NamespaceOverride& o = overrides[i];
    if (!o.rules.empty() && std::find(o.rules.begin(), o.rules.end(), ruleId) == o.rules.end()) continue;
    bool named = std::find(o.namespaces.begin(), o.namespaces.end(), ns) != o.namespaces.end();
    bool selected = o.matchLabels && std::all_of(o.matchLabels->begin(), o.matchLabels->end(), [&](const auto& kv) {
                      auto it = namespaceLabels.find(kv.first);
                      return it != namespaceLabels.end() && it->second == kv.second;
                    });
    if (named || selected) {
      if (byName) *byName = named;
      return static_cast<int>(i);
    }
  }
  return -1;
}

Action Policy::actionFor(std::string_view ruleId, std::string_view ns, const Labels& namespaceLabels) const {
  int i = matchingOverride(ruleId, ns, namespaceLabels, nullptr);
  if (i >= 0) return data_.enforcement.overrides[static_cast<size_t>(i)].action;
  auto it = ruleActions_.find(ruleId);
  return it != ruleActions_.end() ? it->second : data_.enforcement.defaultAction;
}

ActionDecision Policy::resolveAction(std::string_view ruleId, std::string_view ns, const Labels& namespaceLabels) const {
  bool byName = false;
  int i = matchingOverride(ruleId, ns, namespaceLabels, &byName);
  if (i >= 0) {
    return {data_.enforcement.overrides[static_cast<size_t>(i)].action,
            "enforcement.overrides[" + std::to_string(i) + "] (" + (byName ? "namespaces" : "namespaceSelector") + ")"};
  }
  for (const RuleSpec& r : data_.enforcement.rules) {
    if (r.id != ruleId) continue;
    if (r.action) return {*r.action, "enforcement.rules[" + r.id + "].action"};
    return {data_.enforcement.defaultAction, "enforcement.defaultAction"};
  }
  return {data_.enforcement.defaultAction, "enforcement.defaultAction (rule not listed)"};
}

}  // namespace migwarden::policy
