#include "webhook/rules/validate_feasibility.h"

#include <charconv>

#include "webhook/rules/cuda_need.h"
#include "webhook/rules/enforcement.h"
#include "webhook/rules/validate_subject.h"

namespace migwarden::rules {
namespace {

constexpr std::string_view kFeasibilityRule = "cluster-feasibility";
// Nodes with free slices tried before falling back to a scan of every node's capacity.
constexpr size_t kFastPathNodes = 8;

class CudaLabelConflict final : public admission::Rule {
 public:
  explicit CudaLabelConflict(const RuleDeps& deps) : deps_(deps) {}
  std::string_view id() const override { return "cuda-label-conflict"; }
  Status evaluate(const admission::ReviewContext& context, admission::Decision& decision) const override {
    auto subject = subjectFor(context, deps_.policies);
    if (!subject.ok() || !*subject || (*subject)->ephemeralUpdate || !(*subject)->gpuPod()) return Status::Ok();
    const ValidationSubject& s = **subject;
    auto need = resolveCudaNeed(*s.pod, *s.gpu, *s.policy);
    if (need.ok() && need->labelConflict) report(*s.policy, id(), context, decision, *need->labelConflict);
    return Status::Ok();
  }

 private:
  const RuleDeps deps_;
};

// The policy's model of a reported GPU: PCI device id first (exact), then product name.
const policy::GpuModel* modelOf(const policy::Policy& policy, const ledger::Gpu& gpu) {
  std::string_view hex = gpu.pciDeviceId;
  if (hex.size() > 2 && (hex.substr(0, 2) == "0x" || hex.substr(0, 2) == "0X")) hex.remove_prefix(2);
  uint32_t id = 0;
  auto [end, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), id, 16);
  if (ec == std::errc() && end == hex.data() + hex.size() && !hex.empty())
    if (const auto* m = policy.gpuByPciDeviceId(id)) return m;
  return policy.gpuByName(gpu.product);
}

struct NodeVerdict {
  bool ok = false;
  std::string ruleId;
  std::string message;
};

NodeVerdict judgeNode(const policy::Policy& policy, const ledger::NodeReport& report, const CudaNeed& need, bool mig) {
  auto driver = policy::Version::parse(report.driverVersion);
  if (!driver.ok() || driver->empty())
    return {false, std::string(policy::kRuleCudaDriver),
            "node " + report.node + " reports no usable driver version (\"" + report.driverVersion + "\")"};
  if (report.gpus.empty()) return {false, std::string(kFeasibilityRule), "node " + report.node + " reports no GPUs"};
  const ledger::Gpu& gpu = report.gpus.front();
  const policy::GpuModel* model = modelOf(policy, gpu);
  std::optional<policy::Version> cc;
  if (auto v = policy::Version::parse(gpu.computeCapability); v.ok() && !v->empty()) cc = *v;
  if (need.version) {
    policy::CudaQuery q{*need.version, *driver, cc, model, mig};
    policy::CudaVerdict verdict = policy.checkCuda(q);
    if (verdict.compatible) return {true, "", ""};
    return {false, verdict.ruleId, "node " + report.node + " (driver " + report.driverVersion + "): " + verdict.message};
  }
  if (mig && model != nullptr && !model->migMinDriver.empty() && *driver < model->migMinDriver)
    return {false, std::string(policy::kRuleMigDriver),
            "node " + report.node + ": driver " + report.driverVersion + " is below the MIG minimum " +
                model->migMinDriver.toString() + " for " + model->id};
  return {true, "", ""};
}

class ClusterFeasibility final : public admission::Rule {
 public:
  explicit ClusterFeasibility(const RuleDeps& deps) : deps_(deps) {}
  std::string_view id() const override { return kFeasibilityRule; }

  Status evaluate(const admission::ReviewContext& context, admission::Decision& decision) const override {
    auto subject = subjectFor(context, deps_.policies);
    if (!subject.ok() || !*subject || (*subject)->ephemeralUpdate || !(*subject)->gpuPod()) return Status::Ok();
    const ValidationSubject& s = **subject;
    const ledger::ResourceCounts& needs = s.gpu->podNeeds;
    if (needs.empty()) return Status::Ok();  // only ephemeral containers asked; refused elsewhere

    auto need = resolveCudaNeed(*s.pod, *s.gpu, *s.policy);
    if (!need.ok()) {
      report(*s.policy, policy::kRuleCudaDriver, context, decision, need.status().message());
      return Status::Ok();
    }
    bool mig = false;
    for (const auto& [resource, n] : needs) {
      if (!isMigResource(resource)) continue;
      mig = true;
      // An unknown profile is mig-profile-known's finding; do not report it twice.
      if (s.policy->profilesForResource(resource).empty()) return Status::Ok();
    }

    // Fast path (the common case): a node with the slices free right now that is also
    // compatible. Uses the ledger's free-count index instead of copying the whole view.
    std::vector<std::string> freeNow = deps_.ledger.nodesThatCouldTake(needs);
    for (size_t i = 0; i < freeNow.size() && i < kFastPathNodes; ++i) {
      auto node = deps_.ledger.node(freeNow[i]);
      if (node && judgeNode(*s.policy, node->first, *need, mig).ok) return Status::Ok();
    }

    ledger::LedgerView view = deps_.ledger.view();
    bool knowsGpuNodes = false;
    for (const auto& n : view.nodes) knowsGpuNodes = knowsGpuNodes || n.gpuCount > 0;
    std::vector<std::string> candidates;
    for (const auto& node : view.nodes)
      if (hasCapacity(node, needs)) candidates.push_back(node.name);
    std::string what = formatNeeds(needs);
    if (candidates.empty()) {
      reportFeasibility(*s.policy, id(), knowsGpuNodes, context, decision,
                        "pod: no node in the ledger has " + what + " healthy (" +
                            std::to_string(view.nodes.size()) + " nodes known)");
      return Status::Ok();
    }
    std::optional<NodeVerdict> first;
    for (const auto& name : candidates) {
      auto node = deps_.ledger.node(name);
      if (!node) continue;  // removed since view(): not a candidate any more
      NodeVerdict v = judgeNode(*s.policy, node->first, *need, mig);
      if (v.ok) return Status::Ok();
      if (!first) first = std::move(v);
    }
    if (!first) return Status::Ok();
    std::string declared = need->version ? "needs CUDA " + need->version->toString() + " (" + need->source + "); " : "";
    std::string more = candidates.size() > 1 ? " (and " + std::to_string(candidates.size() - 1) + " more nodes fail)" : "";
    reportFeasibility(*s.policy, first->ruleId, knowsGpuNodes, context, decision,
                      "pod " + declared + "no node with " + what + " can run it: " + first->message + more);
    return Status::Ok();
  }

 private:
  static bool hasCapacity(const ledger::NodeSummary& node, const ledger::ResourceCounts& needs) {
    for (const auto& [resource, count] : needs) {
      int64_t healthy = 0;
      for (const auto& r : node.resources)
        if (r.resource == resource) healthy = r.healthy;
      if (healthy < count) return false;
    }
    return true;
  }
  const RuleDeps deps_;
};

}  // namespace

std::unique_ptr<const admission::Rule> makeCudaLabelConflictRule(const RuleDeps& deps) {
  return std::make_unique<CudaLabelConflict>(deps);
}
std::unique_ptr<const admission::Rule> makeClusterFeasibilityRule(const RuleDeps& deps) {
  return std::make_unique<ClusterFeasibility>(deps);
}

}  // namespace migwarden::rules
