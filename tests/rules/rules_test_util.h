// Shared helpers for the admission rule suites (validate_*, mutate_*, binding_*):
// AdmissionReview JSON like the apiserver sends (built from tests/fixtures/admission),
// a real LocalStore in a temp directory, node reports for A100 nodes, and a harness that
// runs a rule factory through the real ReviewService and decodes the response.
//
// API is stable: other suites build on it. Thread-safety: test-only, single-threaded
// unless a test says otherwise (the store and the service themselves are thread-safe).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/ledger/ledger_test_util.h"
#include "webhook/admission/admission_service.h"
#include "webhook/admission/rule.h"
#include "webhook/common/http_message.h"
#include "webhook/ledger/node_report.h"
#include "webhook/policy/policy.h"
#include "webhook/policy/policy_store.h"
#include "webhook/rules/rule_deps.h"

namespace migwarden::rules::testutil {

using json = nlohmann::json;
using RuleList = std::vector<std::unique_ptr<const admission::Rule>>;
using RuleFactory = std::function<RuleList(const RuleDeps&)>;

inline constexpr const char* kNamespace = "ml";
inline constexpr const char* kPodUid = "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e";  // binding-create.json's pod
inline constexpr const char* kMig1g5 = "nvidia.com/mig-1g.5gb";
inline constexpr const char* kMig1g10 = "nvidia.com/mig-1g.10gb";
inline constexpr const char* kMig3g20 = "nvidia.com/mig-3g.20gb";
inline constexpr const char* kWholeGpu = "nvidia.com/gpu";

// ---- AdmissionReview JSON

// A fixture file under tests/fixtures, parsed ("admission/gpu-pod-create.json").
json fixture(const std::string& relativePath);

// A container {"name", "image", "resources": {"limits": limits}} with no env.
// limits values are JSON as sent (1, "1", "500m").
json container(const std::string& name, const std::string& image = "nvcr.io/nvidia/pytorch:24.03-py3",
               const json& limits = json::object());
// A container with `count` of one GPU resource in limits.
json gpuContainer(const std::string& name, const std::string& resource, int64_t count,
                  const std::string& image = "nvcr.io/nvidia/pytorch:24.03-py3");
// Adds {"name": name, "value": value} to container.env.
void addEnv(json& container, const std::string& name, const std::string& value);

// A Pod object: metadata {name, namespace, uid (when not empty)}, spec.containers.
json podObject(const std::string& name, std::vector<json> containers, const std::string& uid = kPodUid,
               const std::string& ns = kNamespace);
// The pod of gpu-pod-create.json (container "train" with 1 nvidia.com/mig-1g.10gb,
// "log-shipper" without GPUs, annotation migwarden.io/cuda-version=12.4), with a name
// and, as validating webhooks see it on CREATE, a uid.
json fixtureGpuPod(const std::string& uid = kPodUid, const std::string& name = "train-x7k2p");

// Wraps `pod` in the envelope of gpu-pod-create.json. operation CREATE puts it in
// request.object; DELETE puts it in request.oldObject (object null); UPDATE needs
// `oldPod`. request.namespace and request.name follow the pod's metadata.
json podReview(const json& pod, const std::string& operation = "CREATE", bool dryRun = false,
               const std::optional<json>& oldPod = std::nullopt);
// pods/ephemeralcontainers UPDATE: object = `pod` (with its ephemeralContainers), oldObject = `oldPod`.
json ephemeralContainersReview(const json& pod, const json& oldPod);
// binding-create.json with the given pod name/uid, target node, namespace and dryRun.
json bindingReview(const std::string& podName, const std::string& podUid, const std::string& node,
                   const std::string& ns = kNamespace, bool dryRun = false);

HttpRequest post(const json& review, const std::string& path = "/validate");

// ---- responses

struct Outcome {
  int httpStatus = 0;
  bool allowed = false;
  int code = 0;  // response.status.code (0 when absent)
  std::string reason;
  std::string message;
  std::vector<std::string> warnings;
  std::map<std::string, std::string> annotations;  // auditAnnotations as sent (prefixed keys)
  std::optional<json> patch;                        // decoded JSONPatch, when present
  json body;                                        // the whole response document
  // The value of the audit annotation whose key ends with `suffix` ("rule.privileged-gpu"), or "".
  std::string annotation(const std::string& suffix) const;
  bool hasWarningContaining(const std::string& text) const;
};
Outcome decodeOutcome(const admission::AdmissionResult& result);

// ---- ledger

// An A100-SXM4-40GB node (PCI 0x20B010DE, compute capability 8.0, migConfigState
// "success", bootId "boot-1"): `gpus` GPUs with `slicesPerGpu` healthy MIG devices of
// `profile` each. Placements are simply start i, size 1: fine for counting, not a
// realistic layout for profiles wider than one memory slice.
ledger::NodeReport a100Report(const std::string& node, int gpus = 1, const std::string& profile = "1g.5gb",
                              int slicesPerGpu = 7, const std::string& driverVersion = "550.54.15",
                              int64_t sequence = 1);

// ---- harness

// Policy (built-in by default) + a LocalStore on a temp dir (FaultEnv, FakeClock) + the
// RuleDeps the factories take.
class RulesHarness {
 public:
  RulesHarness();
  // Replace the policy, e.g. with enforcement overrides: `edit` changes a copy of the
  // built-in table's data. Fails the test (throws) when the result does not validate.
  void editPolicy(const std::function<void(policy::PolicyData&)>& edit);
  // Adds {"action", "namespaces": [ns], "rules": [ruleId]} in front of the overrides.
  void overrideAction(const std::string& ruleId, policy::Action action, const std::string& ns = kNamespace);

  void seed(const ledger::NodeReport& report);  // applyNodeReport; throws on error
  // Makes every later ledger mutation fail with IOError (the store latches read-only).
  void makeLedgerReadOnly();

  // Runs `review` through a ReviewService whose pipeline is `factory(deps())`.
  Outcome run(admission::Endpoint endpoint, const json& review, const RuleFactory& factory);

  const RuleDeps& deps() const { return deps_; }
  ledger::LocalStore& store() { return ledgerFixture_.store(); }
  FakeClock& clock() { return ledgerFixture_.clock(); }
  const policy::Policy& policy() const { return *policies_.current(); }

 private:
  ledger::testutil::StoreFixture ledgerFixture_;
  policy::PolicyStore policies_;
  RuleDeps deps_;
};

}  // namespace migwarden::rules::testutil
