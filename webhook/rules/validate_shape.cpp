#include "webhook/rules/validate_shape.h"

#include <algorithm>
#include <optional>
#include <set>

#include "webhook/rules/enforcement.h"
#include "webhook/rules/validate_subject.h"

namespace migwarden::rules {
namespace {

// Shared by the shape rules: fetch the subject, skip what is not theirs.
class ShapeRule : public admission::Rule {
 public:
  ShapeRule(const RuleDeps& deps, std::string_view id) : deps_(deps), id_(id) {}
  std::string_view id() const override { return id_; }

 protected:
  const RuleDeps deps_;  // a copy: the struct only holds references

 private:
  std::string_view id_;
};

class MigProfileKnown final : public ShapeRule {
 public:
  explicit MigProfileKnown(const RuleDeps& deps) : ShapeRule(deps, "mig-profile-known") {}
  Status evaluate(const admission::ReviewContext& context, admission::Decision& decision) const override {
    auto subject = subjectFor(context, deps_.policies);
    if (!subject.ok()) return subject.status();
    if (!*subject) return Status::Ok();
    const ValidationSubject& s = **subject;
    if (!s.gpu.ok()) return s.gpu.status();  // names container and field; 400 from the pipeline
    for (const auto& r : s.gpu->perContainer) {
      if (!isMigResource(r.resource) || !s.policy->profilesForResource(r.resource).empty()) continue;
      report(*s.policy, id(), context, decision,
             "container " + quoted(r.container->name) + ": " + r.resource +
                 " is not a MIG profile of any GPU in the policy");
    }
    return Status::Ok();
  }
};

class MigAndGpuMixed final : public ShapeRule {
 public:
  explicit MigAndGpuMixed(const RuleDeps& deps) : ShapeRule(deps, "mig-and-gpu-mixed") {}
  Status evaluate(const admission::ReviewContext& context, admission::Decision& decision) const override {
    auto subject = subjectFor(context, deps_.policies);
    if (!subject.ok() || !*subject || !(*subject)->gpuPod()) return Status::Ok();
    const ValidationSubject& s = **subject;
    for (const auto& r : s.gpu->perContainer) {
      if (r.resource != kWholeGpuResource) continue;
      for (const auto& other : s.gpu->perContainer) {
        if (other.container != r.container || !isMigResource(other.resource)) continue;
        report(*s.policy, id(), context, decision,
               "container " + quoted(r.container->name) + ": requests " + std::string(kWholeGpuResource) + " and " +
                   other.resource + " together; a container gets whole GPUs or MIG slices, not both");
        break;
      }
    }
    return Status::Ok();
  }
};

class MigCountFits final : public ShapeRule {
 public:
  explicit MigCountFits(const RuleDeps& deps) : ShapeRule(deps, "mig-count-fits") {}
  Status evaluate(const admission::ReviewContext& context, admission::Decision& decision) const override {
    auto subject = subjectFor(context, deps_.policies);
    if (!subject.ok() || !*subject || !(*subject)->gpuPod()) return Status::Ok();
    const ValidationSubject& s = **subject;
    std::optional<int64_t> ledgerCeiling;  // read from the ledger only when a count needs it
    for (const auto& [resource, count] : s.gpu->podNeeds) {
      int64_t perGpu = 1;
      std::string model = "GPU";
      if (isMigResource(resource)) {
        auto refs = s.policy->profilesForResource(resource);
        if (refs.empty()) continue;  // mig-profile-known reports it
        perGpu = 0;
        for (const auto& ref : refs) {
          if (ref.profile->maxInstances > perGpu) {
            perGpu = ref.profile->maxInstances;
            model = ref.gpu->id + " GPU";
          }
        }
      }
      if (count <= perGpu * kPlausibleGpusPerNode) continue;
      if (!ledgerCeiling) ledgerCeiling = gpusPerNodeCeiling();
      int64_t gpusPerNode = *ledgerCeiling;
      int64_t perNode = perGpu * gpusPerNode;
      if (count <= perNode) continue;
      report(*s.policy, id(), context, decision,
             containerOf(s, resource) + resource + "=" + std::to_string(count) +
                 " cannot fit on one node: at most " + std::to_string(perGpu) + " per " + model + " x " +
                 std::to_string(gpusPerNode) + " GPUs per node = " + std::to_string(perNode));
    }
    return Status::Ok();
  }

 private:
  int64_t gpusPerNodeCeiling() const {
    int64_t most = kPlausibleGpusPerNode;
    for (const auto& node : deps_.ledger.view().nodes) most = std::max<int64_t>(most, static_cast<int64_t>(node.gpuCount));
    return most;
  }
  // `container "train": ` when one container holds the resource, else "pod: ".
  static std::string containerOf(const ValidationSubject& s, const std::string& resource) {
    std::set<std::string> names;
    for (const auto& r : s.gpu->perContainer)
      if (r.resource == resource) names.insert(r.container->name);
    if (names.size() == 1) return "container " + quoted(*names.begin()) + ": ";
    return "pod (all containers): ";
  }
};

class EphemeralContainerGpu final : public ShapeRule {
 public:
  explicit EphemeralContainerGpu(const RuleDeps& deps) : ShapeRule(deps, "ephemeral-container-gpu") {}
  Status evaluate(const admission::ReviewContext& context, admission::Decision& decision) const override {
    auto subject = subjectFor(context, deps_.policies);
    if (!subject.ok() || !*subject || !(*subject)->gpu.ok()) return Status::Ok();
    const ValidationSubject& s = **subject;
    for (const auto& r : s.gpu->perContainer) {
      if (r.container->type != admission::ContainerType::kEphemeral) continue;
      report(*s.policy, id(), context, decision,
             "ephemeral container " + quoted(r.container->name) + ": " + r.resource +
                 ": ephemeral containers cannot request GPU resources (Kubernetes gives them none)");
    }
    return Status::Ok();
  }
};

}  // namespace

std::unique_ptr<const admission::Rule> makeMigProfileKnownRule(const RuleDeps& deps) {
  return std::make_unique<MigProfileKnown>(deps);
}
std::unique_ptr<const admission::Rule> makeMigAndGpuMixedRule(const RuleDeps& deps) {
  return std::make_unique<MigAndGpuMixed>(deps);
}
std::unique_ptr<const admission::Rule> makeMigCountFitsRule(const RuleDeps& deps) {
  return std::make_unique<MigCountFits>(deps);
}
std::unique_ptr<const admission::Rule> makeEphemeralContainerGpuRule(const RuleDeps& deps) {
  return std::make_unique<EphemeralContainerGpu>(deps);
}

}  // namespace migwarden::rules
