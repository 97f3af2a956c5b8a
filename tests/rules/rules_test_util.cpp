#include "tests/rules/rules_test_util.h"

#include <stdexcept>

#include "tests/support/temp_dir.h"
#include "webhook/admission/pipeline.h"
#include "webhook/admission/review_service_impl.h"
#include "webhook/common/crypto.h"
#include "webhook/policy/builtin.h"

namespace migwarden::rules::testutil {

json fixture(const std::string& relativePath) { return json::parse(migwarden::testing::readFixture(relativePath)); }

json container(const std::string& name, const std::string& image, const json& limits) {
  json c = {{"name", name}, {"image", image}};
  c["resources"] = {{"limits", limits}};
  return c;
}

json gpuContainer(const std::string& name, const std::string& resource, int64_t count, const std::string& image) {
  return container(name, image, json{{resource, count}});
}

void addEnv(json& c, const std::string& name, const std::string& value) {
  c["env"].push_back({{"name", name}, {"value", value}});
}

json podObject(const std::string& name, std::vector<json> containers, const std::string& uid, const std::string& ns) {
  json pod = {{"apiVersion", "v1"}, {"kind", "Pod"}};
  pod["metadata"] = {{"name", name}, {"namespace", ns}};
  if (!uid.empty()) pod["metadata"]["uid"] = uid;
  pod["spec"]["containers"] = json(std::move(containers));
  return pod;
}

json fixtureGpuPod(const std::string& uid, const std::string& name) {
  json pod = fixture("admission/gpu-pod-create.json")["request"]["object"];
  pod["metadata"]["name"] = name;
  if (!uid.empty()) pod["metadata"]["uid"] = uid;
  return pod;
}

json podReview(const json& pod, const std::string& operation, bool dryRun, const std::optional<json>& oldPod) {
  json review = fixture("admission/gpu-pod-create.json");
  json& req = review["request"];
  req["operation"] = operation;
  req["dryRun"] = dryRun;
  const json& meta = pod["metadata"];
  req["namespace"] = meta.value("namespace", std::string(kNamespace));
  req["name"] = meta.value("name", std::string());
  if (operation == "DELETE") {
    req["object"] = nullptr;
    req["oldObject"] = pod;
    req["options"] = {{"apiVersion", "meta.k8s.io/v1"}, {"kind", "DeleteOptions"}};
  } else {
    req["object"] = pod;
    req["oldObject"] = oldPod ? *oldPod : json(nullptr);
    if (operation == "UPDATE") req["options"] = {{"apiVersion", "meta.k8s.io/v1"}, {"kind", "UpdateOptions"}};
  }
  return review;
}

json ephemeralContainersReview(const json& pod, const json& oldPod) {
  json review = podReview(pod, "UPDATE", false, oldPod);
  review["request"]["subResource"] = "ephemeralcontainers";
  review["request"]["requestSubResource"] = "ephemeralcontainers";
  return review;
}

json bindingReview(const std::string& podName, const std::string& podUid, const std::string& node,
                   const std::string& ns, bool dryRun) {
  json review = fixture("admission/binding-create.json");
  json& req = review["request"];
  req["name"] = podName;
  req["namespace"] = ns;
  req["dryRun"] = dryRun;
  req["object"]["metadata"] = {{"name", podName}, {"namespace", ns}, {"uid", podUid}};
  req["object"]["target"]["name"] = node;
  return review;
}

HttpRequest post(const json& review, const std::string& path) {
  HttpRequest r;
  r.method = "POST";
  r.path = path;
  r.headers.emplace_back("content-type", "application/json");
  r.body = review.dump();
  return r;
}

std::string Outcome::annotation(const std::string& suffix) const {
  for (const auto& [key, value] : annotations)
    if (key.size() >= suffix.size() && key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0)
      return value;
  return "";
}

bool Outcome::hasWarningContaining(const std::string& text) const {
  for (const auto& w : warnings)
    if (w.find(text) != std::string::npos) return true;
  return false;
}

Outcome decodeOutcome(const admission::AdmissionResult& result) {
  Outcome o;
  o.httpStatus = result.http.status;
  o.body = json::parse(result.http.body);
  if (!o.body.contains("response")) return o;
  const json& r = o.body["response"];
  o.allowed = r.value("allowed", false);
  if (r.contains("status")) {
    o.code = r["status"].value("code", 0);
    o.reason = r["status"].value("reason", std::string());
    o.message = r["status"].value("message", std::string());
  }
  if (r.contains("warnings"))
    for (const auto& w : r["warnings"]) o.warnings.push_back(w.get<std::string>());
  if (r.contains("auditAnnotations"))
    for (const auto& [k, v] : r["auditAnnotations"].items()) o.annotations[k] = v.get<std::string>();
  if (r.contains("patch")) {
    auto decoded = crypto::base64Decode(r["patch"].get<std::string>());
    if (decoded) o.patch = json::parse(*decoded);
  }
  return o;
}

ledger::NodeReport a100Report(const std::string& node, int gpus, const std::string& profile, int slicesPerGpu,
                              const std::string& driverVersion, int64_t sequence) {
  ledger::NodeReport r = ledger::testutil::a100Node(node, gpus, slicesPerGpu, sequence);
  r.driverVersion = driverVersion;
  for (auto& gpu : r.gpus)
    for (auto& d : gpu.migDevices) d.profile = profile;
  return r;
}

namespace {
std::shared_ptr<const policy::Policy> builtinPolicy() {
  auto p = policy::loadBuiltinPolicy();
  if (!p.ok()) throw std::runtime_error("built-in policy: " + p.status().toString());
  return *p;
}
}  // namespace

RulesHarness::RulesHarness()
    : policies_(builtinPolicy()), deps_{policies_, ledgerFixture_.store(), ledgerFixture_.clock()} {}

void RulesHarness::editPolicy(const std::function<void(policy::PolicyData&)>& edit) {
  policy::PolicyData data = policies_.current()->data();
  edit(data);
  auto p = policy::Policy::create(std::move(data));
  if (!p.ok()) throw std::runtime_error("edited policy does not validate: " + p.status().toString());
  policies_.replace(*p);
}

void RulesHarness::overrideAction(const std::string& ruleId, policy::Action action, const std::string& ns) {
  editPolicy([&](policy::PolicyData& d) {
    policy::NamespaceOverride o;
    o.rules = {ruleId};
    o.action = action;
    o.namespaces = {ns};
    d.enforcement.overrides.insert(d.enforcement.overrides.begin(), o);
  });
}

void RulesHarness::seed(const ledger::NodeReport& report) {
  auto r = store().applyNodeReport(report);
  if (!r.ok()) throw std::runtime_error("seed " + report.node + ": " + r.status().toString());
}

void RulesHarness::makeLedgerReadOnly() {
  ledgerFixture_.env().failSync = true;
  // Latch the store: the first failed durable write makes it read-only for good.
  ledger::PendingPod probe{"read-only-probe", "default", "probe", {{kMig1g5, 1}}, {}};
  (void)store().recordPending(probe, false);
  ledgerFixture_.env().failSync = false;
}

Outcome RulesHarness::run(admission::Endpoint endpoint, const json& review, const RuleFactory& factory) {
  admission::ReviewService service({}, admission::RulePipeline(factory(deps_)));
  return decodeOutcome(service.handle(endpoint, post(review, endpoint == admission::Endpoint::kMutate ? "/mutate"
                                                                                                    : "/validate")));
}

}  // namespace migwarden::rules::testutil
