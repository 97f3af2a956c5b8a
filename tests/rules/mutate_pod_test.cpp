// Spec: /mutate for Pod CREATE (makePodMutationRules) through the real ReviewService.
// Every patch is decoded, applied to request.object with nlohmann::json::patch (an
// independent RFC 6902 implementation), and the patched pod is submitted again: the
// second call must return no patch (reinvocationPolicy: IfNeeded).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

#include "tests/rules/rules_test_util.h"
#include "webhook/rules/mutate_annotations.h"
#include "webhook/rules/pod_mutation.h"
#include "webhook/rules/pod_validation.h"

namespace migwarden::rules {
namespace {

using admission::Endpoint;
using testutil::json;
using testutil::Outcome;

// ---- an independent oracle for required node affinity (Kubernetes semantics)

using NodeLabels = std::map<std::string, std::string>;

bool requirementMatches(const json& r, const NodeLabels& node) {
  const std::string key = r["key"], op = r["operator"];
  auto it = node.find(key);
  std::vector<std::string> values = r.value("values", std::vector<std::string>());
  auto in = [&] { return it != node.end() && std::find(values.begin(), values.end(), it->second) != values.end(); };
  if (op == "In") return in();
  if (op == "NotIn") return !in();
  if (op == "Exists") return it != node.end();
  if (op == "DoesNotExist") return it == node.end();
  if (op == "Gt" || op == "Lt") {
    if (it == node.end() || values.size() != 1) return false;
    long have = std::stol(it->second), want = std::stol(values[0]);
    return op == "Gt" ? have > want : have < want;
  }
  ADD_FAILURE() << "unknown operator " << op;
  return false;
}

// matchFields are ignored by the oracle (the tests' nodes carry labels only).
bool podSchedulableOn(const json& pod, const NodeLabels& node) {
  const json* terms = nullptr;
  try {
    terms = &pod.at("spec")
                 .at("affinity")
                 .at("nodeAffinity")
                 .at("requiredDuringSchedulingIgnoredDuringExecution")
                 .at("nodeSelectorTerms");
  } catch (const json::exception&) {
    return true;
  }
  for (const json& term : *terms) {
    bool all = term.contains("matchExpressions") && !term["matchExpressions"].empty();
    if (term.contains("matchExpressions"))
      for (const json& r : term["matchExpressions"]) all = all && requirementMatches(r, node);
    if (all) return true;
  }
  return false;
}

NodeLabels gpuNode(const std::string& product, const std::string& major, const std::string& minor,
                   const std::string& revision, NodeLabels extra = {}) {
  extra["nvidia.com/gpu.product"] = product;
  extra["nvidia.com/cuda.driver-version.major"] = major;
  extra["nvidia.com/cuda.driver-version.minor"] = minor;
  extra["nvidia.com/cuda.driver-version.revision"] = revision;
  return extra;
}

// ---- harness

json envOf(const json& container) { return container.value("env", json::array()); }

std::string envValue(const json& container, const std::string& name) {
  for (const json& e : envOf(container))
    if (e["name"] == name) return e.value("value", "<valueFrom>");
  return "<unset>";
}

int envCount(const json& container, const std::string& name) {
  int n = 0;
  for (const json& e : envOf(container)) n += e["name"] == name ? 1 : 0;
  return n;
}

class PodMutation : public ::testing::Test {
 protected:
  testutil::RulesHarness h;

  Outcome mutate(const json& pod) { return h.run(Endpoint::kMutate, testutil::podReview(pod), makePodMutationRules); }

  // Mutates `pod`, applies the patch, checks the result is stable, returns it.
  json mutateAndApply(const json& pod, Outcome* first = nullptr) {
    Outcome o = mutate(pod);
    EXPECT_EQ(o.httpStatus, 200);
    EXPECT_TRUE(o.allowed) << o.message;
    json patched = pod;
    if (o.patch) {
      EXPECT_TRUE(o.patch->is_array());
      EXPECT_EQ(o.body["response"].value("patchType", ""), "JSONPatch");
      try {
        patched = pod.patch(*o.patch);
      } catch (const json::exception& e) {
        ADD_FAILURE() << "patch does not apply: " << e.what() << "\npatch: " << o.patch->dump();
      }
    }
    Outcome again = mutate(patched);
    EXPECT_TRUE(again.allowed) << again.message;
    EXPECT_FALSE(again.patch.has_value()) << "second /mutate returned a patch: " << again.patch->dump();
    if (first) *first = o;
    return patched;
  }

  // The fixture pod as a mutating webhook sees it on CREATE: no uid, generated name pending.
  static json fixturePod() {
    json pod = testutil::fixtureGpuPod("", "");
    pod["metadata"].erase("name");
    pod["metadata"].erase("uid");
    return pod;
  }
};

TEST_F(PodMutation, FixtureGpuPodGetsDeviceEnvNcclAffinityAndAnnotations) {
  Outcome first;
  json pod = fixturePod();
  json out = mutateAndApply(pod, &first);
  ASSERT_TRUE(first.patch.has_value());

  const json& train = out["spec"]["containers"][0];
  EXPECT_EQ(envOf(train)[0], (json{{"name", "EPOCHS"}, {"value", "10"}})) << "user env keeps its order";
  EXPECT_EQ(envValue(train, "NVIDIA_DRIVER_CAPABILITIES"), "compute,utility");
  EXPECT_EQ(envValue(train, "NCCL_P2P_DISABLE"), "1");
  EXPECT_EQ(envValue(train, "NCCL_NVLS_ENABLE"), "0");
  EXPECT_EQ(envValue(train, "NCCL_MNNVL_ENABLE"), "0");
  EXPECT_EQ(envValue(train, "NVIDIA_VISIBLE_DEVICES"), "<unset>") << "the device plugin sets it for GPU containers";

  const json& shipper = out["spec"]["containers"][1];
  EXPECT_EQ(envOf(shipper), (json::array({{{"name", "NVIDIA_VISIBLE_DEVICES"}, {"value", "void"}}})));

  EXPECT_EQ(out["spec"]["tolerations"], pod["spec"]["tolerations"]) << "the fixture already tolerates the GPU taint";
  EXPECT_EQ(out["spec"]["nodeSelector"], pod["spec"]["nodeSelector"]);

  const json& ann = out["metadata"]["annotations"];
  EXPECT_EQ(ann["migwarden.io/cuda-version"], "12.4");
  EXPECT_EQ(ann["migwarden.io/policy-digest"], h.policy().digest());
  EXPECT_EQ(ann["migwarden.io/mutated"], "true");
  EXPECT_EQ(ann["migwarden.io/resolved-cuda-version"], "12.4");

  // 1g.10gb exists on A100-40GB, A100-80GB and H100-80GB among others; CUDA 12.4 runs on
  // 525.60.13+ (minor-version compatibility in the built-in policy).
  EXPECT_TRUE(podSchedulableOn(out, gpuNode("NVIDIA-A100-SXM4-40GB", "550", "54", "15")));
  EXPECT_TRUE(podSchedulableOn(out, gpuNode("NVIDIA-H100-80GB-HBM3", "525", "60", "13")));
  EXPECT_FALSE(podSchedulableOn(out, gpuNode("NVIDIA-A100-SXM4-40GB", "525", "60", "12")));
  EXPECT_FALSE(podSchedulableOn(out, gpuNode("NVIDIA-A30", "550", "54", "15"))) << "A30 has no 1g.10gb";
  EXPECT_FALSE(podSchedulableOn(out, NodeLabels{{"kubernetes.io/hostname", "cpu-1"}}));
}

TEST_F(PodMutation, FixtureReviewsAsTheApiserverSendsThemGetAPatchThatApplies) {
  for (const char* file : {"admission/gpu-pod-create.json", "admission/gpu-pod-create-v1beta1.json"}) {
    SCOPED_TRACE(file);
    json review = testutil::fixture(file);
    Outcome o = h.run(Endpoint::kMutate, review, makePodMutationRules);
    ASSERT_TRUE(o.allowed) << o.message;
    ASSERT_TRUE(o.patch.has_value());
    EXPECT_EQ(o.body["apiVersion"], review["apiVersion"]);
    EXPECT_EQ(o.body["response"]["uid"], review["request"]["uid"]);
    json patched = review["request"]["object"].patch(*o.patch);
    EXPECT_EQ(envValue(patched["spec"]["containers"][0], "NCCL_P2P_DISABLE"), "1");

    review["request"]["object"] = patched;
    Outcome again = h.run(Endpoint::kMutate, review, makePodMutationRules);
    EXPECT_TRUE(again.allowed);
    EXPECT_FALSE(again.patch.has_value());
  }
}

TEST_F(PodMutation, DriverFloorHoldsAcrossVersionBoundaries) {
  json out = mutateAndApply(fixturePod());
  struct Case {
    std::string major, minor, revision;
    bool schedulable;
  };
  // Floor 525.60.13.
  for (const Case& c : std::vector<Case>{{"524", "999", "99", false},
                                         {"525", "59", "99", false},
                                         {"525", "60", "12", false},
                                         {"525", "60", "13", true},
                                         {"525", "60", "014", true},
                                         {"525", "61", "00", true},
                                         {"526", "00", "00", true},
                                         {"580", "65", "06", true}}) {
    EXPECT_EQ(podSchedulableOn(out, gpuNode("NVIDIA-A100-SXM4-40GB", c.major, c.minor, c.revision)), c.schedulable)
        << c.major << "." << c.minor << "." << c.revision;
  }
}

TEST_F(PodMutation, EveryExistingAffinityTermIsAndedWithOurs) {
  json pod = fixturePod();
  pod["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"] =
      json::array(
          {{{"matchExpressions", json::array({{{"key", "zone"}, {"operator", "In"}, {"values", {"a"}}}})}},
           {{"matchExpressions", json::array({{{"key", "zone"}, {"operator", "In"}, {"values", {"b"}}}})},
            {"matchFields", json::array({{{"key", "metadata.name"}, {"operator", "In"}, {"values", {"n1"}}}})}}});
  pod["spec"]["affinity"]["podAntiAffinity"] = json::object();
  json out = mutateAndApply(pod);

  EXPECT_TRUE(out["spec"]["affinity"].contains("podAntiAffinity"));
  const json& terms =
      out["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"];
  bool sawMatchFields = false;
  for (const json& t : terms) {
    bool zone = false;
    for (const json& r : t["matchExpressions"]) zone = zone || r["key"] == "zone";
    EXPECT_TRUE(zone) << "every term keeps the pod's own requirement: " << t.dump();
    sawMatchFields = sawMatchFields || t.contains("matchFields");
  }
  EXPECT_TRUE(sawMatchFields) << "matchFields are kept";

  // Theirs AND ours: the zone still decides, and so does the GPU.
  EXPECT_TRUE(podSchedulableOn(out, gpuNode("NVIDIA-A100-SXM4-40GB", "550", "54", "15", {{"zone", "a"}})));
  EXPECT_TRUE(podSchedulableOn(out, gpuNode("NVIDIA-A100-SXM4-40GB", "550", "54", "15", {{"zone", "b"}})));
  EXPECT_FALSE(podSchedulableOn(out, gpuNode("NVIDIA-A100-SXM4-40GB", "550", "54", "15", {{"zone", "c"}})));
  EXPECT_FALSE(podSchedulableOn(out, gpuNode("NVIDIA-A30", "550", "54", "15", {{"zone", "a"}})));
  EXPECT_FALSE(podSchedulableOn(out, gpuNode("NVIDIA-A100-SXM4-40GB", "470", "82", "01", {{"zone", "b"}})));
}

TEST_F(PodMutation, NullAffinityParentsAreCreatedWithAddOps) {
  for (const json& affinity :
       {json(nullptr), json{{"nodeAffinity", nullptr}},
        json{{"nodeAffinity", {{"requiredDuringSchedulingIgnoredDuringExecution", nullptr}}}},
        json{{"nodeAffinity", {{"requiredDuringSchedulingIgnoredDuringExecution", {{"nodeSelectorTerms", nullptr}}}}}},
        json{{"nodeAffinity", {{"preferredDuringSchedulingIgnoredDuringExecution", json::array()}}}}}) {
    SCOPED_TRACE(affinity.dump());
    json pod = fixturePod();
    pod["spec"]["affinity"] = affinity;
    json out = mutateAndApply(pod);
    EXPECT_FALSE(podSchedulableOn(out, gpuNode("NVIDIA-A30", "550", "54", "15")));
    EXPECT_TRUE(podSchedulableOn(out, gpuNode("NVIDIA-A100-SXM4-40GB", "550", "54", "15")));
  }
}

TEST_F(PodMutation, ExistingAffinityThatAlreadyImpliesOursIsLeftAlone) {
  json once = mutateAndApply(fixturePod());
  Outcome again = mutate(once);
  EXPECT_FALSE(again.patch.has_value());
}

TEST_F(PodMutation, ValueTheUserSetIsNeverOverriddenAndAWarningSaysSo) {
  json pod = fixturePod();
  testutil::addEnv(pod["spec"]["containers"][0], "NCCL_P2P_DISABLE", "0");
  pod["spec"]["containers"][0]["env"].push_back(
      {{"name", "NVIDIA_DRIVER_CAPABILITIES"}, {"valueFrom", {{"configMapKeyRef", {{"name", "c"}, {"key", "k"}}}}}});
  Outcome first;
  json out = mutateAndApply(pod, &first);
  const json& train = out["spec"]["containers"][0];
  EXPECT_EQ(envValue(train, "NCCL_P2P_DISABLE"), "0");
  EXPECT_EQ(envCount(train, "NCCL_P2P_DISABLE"), 1);
  EXPECT_EQ(envValue(train, "NVIDIA_DRIVER_CAPABILITIES"), "<valueFrom>");
  EXPECT_EQ(envValue(train, "NCCL_NVLS_ENABLE"), "0");
  EXPECT_TRUE(first.hasWarningContaining("container \"train\": NCCL_P2P_DISABLE is \"0\"")) << first.body.dump();
}

TEST_F(PodMutation, PodWithoutAnnotationsGetsTheMapCreatedAndKeysEscaped) {
  json pod = fixturePod();
  pod["metadata"].erase("annotations");
  Outcome first;
  json out = mutateAndApply(pod, &first);
  ASSERT_TRUE(first.patch.has_value());
  bool addedMap = false, escaped = false;
  for (const json& op : *first.patch) {
    addedMap =
        addedMap || (op["op"] == "add" && op["path"] == "/metadata/annotations" && op["value"] == json::object());
    escaped = escaped || op["path"] == "/metadata/annotations/migwarden.io~1policy-digest";
  }
  EXPECT_TRUE(addedMap) << first.patch->dump();
  EXPECT_TRUE(escaped) << first.patch->dump();
  EXPECT_EQ(out["metadata"]["annotations"]["migwarden.io/policy-digest"], h.policy().digest());
  // No declared CUDA version (the image is not an official CUDA image): MIG floor only.
  EXPECT_FALSE(out["metadata"]["annotations"].contains("migwarden.io/resolved-cuda-version"));
  EXPECT_TRUE(podSchedulableOn(out, gpuNode("NVIDIA-A100-SXM4-40GB", "470", "82", "01")));
  EXPECT_FALSE(podSchedulableOn(out, gpuNode("NVIDIA-A100-SXM4-40GB", "450", "80", "01")));
}

TEST_F(PodMutation, StaleDigestAnnotationIsReplaced) {
  json pod = fixturePod();
  pod["metadata"]["annotations"]["migwarden.io/policy-digest"] = "sha256:old";
  json out = mutateAndApply(pod);
  EXPECT_EQ(out["metadata"]["annotations"]["migwarden.io/policy-digest"], h.policy().digest());
}

TEST_F(PodMutation, MissingOrDifferentTolerationsAreAddedOnce) {
  json noTolerations = fixturePod();
  noTolerations["spec"].erase("tolerations");
  json out = mutateAndApply(noTolerations);
  EXPECT_EQ(out["spec"]["tolerations"],
            (json::array({{{"key", "nvidia.com/gpu"}, {"operator", "Exists"}, {"effect", "NoSchedule"}}})));

  json other = fixturePod();
  // Same key, other effect / with tolerationSeconds: not the policy's toleration.
  other["spec"]["tolerations"] = json::array(
      {{{"key", "nvidia.com/gpu"}, {"operator", "Exists"}, {"effect", "NoExecute"}, {"tolerationSeconds", 30}},
       {{"key", "dedicated"}, {"operator", "Equal"}, {"value", "ml"}, {"effect", "NoSchedule"}}});
  out = mutateAndApply(other);
  ASSERT_EQ(out["spec"]["tolerations"].size(), 3u);
  EXPECT_EQ(out["spec"]["tolerations"][0], other["spec"]["tolerations"][0]);
  EXPECT_EQ(out["spec"]["tolerations"][2]["effect"], "NoSchedule");
}

TEST_F(PodMutation, NonGpuPodOnlyGetsVoidDevices) {
  json pod = testutil::fixture("admission/non-gpu-pod-create.json")["request"]["object"];
  pod["spec"]["containers"].push_back(testutil::container("cuda-tool", "nvidia/cuda:12.4.1-base-ubuntu22.04"));
  json sets = testutil::container("sets-own");
  testutil::addEnv(sets, "NVIDIA_VISIBLE_DEVICES", "none");
  pod["spec"]["containers"].push_back(sets);
  json out = mutateAndApply(pod);

  EXPECT_EQ(envOf(out["spec"]["containers"][0]),
            (json::array({{{"name", "NVIDIA_VISIBLE_DEVICES"}, {"value", "void"}}})));
  EXPECT_EQ(envValue(out["spec"]["containers"][1], "NVIDIA_VISIBLE_DEVICES"), "void");
  EXPECT_EQ(envOf(out["spec"]["containers"][2]), envOf(sets)) << "the validation rules judge a user-set value";
  json expected = pod;
  for (size_t i = 0; i < 2; ++i) expected["spec"]["containers"][i]["env"] = out["spec"]["containers"][i]["env"];
  EXPECT_EQ(out, expected) << "no annotations, tolerations or affinity for a pod without GPUs";
}

TEST_F(PodMutation, EmptyNoGpuEnvInThePolicySwitchesVoidOff) {
  h.editPolicy([](policy::PolicyData& d) { d.mutation.noGpuEnv.clear(); });
  json pod = testutil::fixture("admission/non-gpu-pod-create.json")["request"]["object"];
  EXPECT_FALSE(mutate(pod).patch.has_value());
}

TEST_F(PodMutation, InitContainerWithWholeGpuIsPatchedAtItsOwnPath) {
  json pod = testutil::podObject("", {testutil::container("main", "busybox")}, "");
  pod["metadata"].erase("name");
  pod["spec"]["initContainers"] =
      json::array({testutil::gpuContainer("warmup", "nvidia.com/gpu", 1, "nvidia/cuda:12.4.1-runtime-ubuntu22.04")});
  Outcome first;
  json out = mutateAndApply(pod, &first);
  ASSERT_TRUE(first.patch.has_value());
  bool initPath = false;
  for (const json& op : *first.patch) initPath = initPath || op["path"] == "/spec/initContainers/0/env";
  EXPECT_TRUE(initPath) << first.patch->dump();

  const json& warmup = out["spec"]["initContainers"][0];
  EXPECT_EQ(envValue(warmup, "NVIDIA_DRIVER_CAPABILITIES"), "compute,utility");
  EXPECT_EQ(envValue(warmup, "NCCL_P2P_DISABLE"), "<unset>") << "NCCL settings are for MIG slices only";
  EXPECT_EQ(envValue(out["spec"]["containers"][0], "NVIDIA_VISIBLE_DEVICES"), "void");
  EXPECT_EQ(out["metadata"]["annotations"]["migwarden.io/resolved-cuda-version"], "12.4.1") << "from the image rule";
  EXPECT_EQ(out["spec"]["tolerations"].size(), 1u);
  // Whole GPUs: no product requirement, only the driver floor of CUDA 12.4.1.
  EXPECT_TRUE(podSchedulableOn(out, gpuNode("Tesla-T4", "525", "60", "13")));
  EXPECT_FALSE(podSchedulableOn(out, gpuNode("Tesla-T4", "520", "61", "05")));
}

TEST_F(PodMutation, IgnoredNamespaceUpdateAndOtherResourcesAreLeftAlone) {
  json pod = fixturePod();
  pod["metadata"]["namespace"] = "gpu-operator";
  EXPECT_FALSE(mutate(pod).patch.has_value()) << "ignored namespace";

  json update = testutil::podReview(testutil::fixtureGpuPod(), "UPDATE", false, testutil::fixtureGpuPod());
  EXPECT_FALSE(h.run(Endpoint::kMutate, update, makePodMutationRules).patch.has_value()) << "UPDATE";

  json binding = testutil::bindingReview("train-x7k2p", testutil::kPodUid, "gpu-a");
  Outcome b = h.run(Endpoint::kMutate, binding, makePodMutationRules);
  EXPECT_TRUE(b.allowed);
  EXPECT_FALSE(b.patch.has_value()) << "pods/binding";
}

TEST_F(PodMutation, WhatMutationAddsValidationAccepts) {
  json pod = fixturePod();
  pod["spec"]["containers"].push_back(testutil::container("sidecar", "nvidia/cuda:12.4.1-base-ubuntu22.04"));
  json out = mutateAndApply(pod);
  // As the validating webhook sees it after the apiserver persisted the name and uid.
  out["metadata"]["name"] = "train-x7k2p";
  out["metadata"]["uid"] = testutil::kPodUid;
  Outcome v = h.run(Endpoint::kValidate, testutil::podReview(out), makePodValidationRules);
  EXPECT_TRUE(v.allowed) << v.message;
  EXPECT_FALSE(v.hasWarningContaining("NVIDIA_VISIBLE_DEVICES")) << v.body.dump();
}

TEST_F(PodMutation, ValidateNeverReturnsAPatch) {
  for (const json& pod : {fixturePod(), testutil::fixture("admission/non-gpu-pod-create.json")["request"]["object"]}) {
    Outcome o = h.run(Endpoint::kValidate, testutil::podReview(pod), makePodMutationRules);
    EXPECT_TRUE(o.allowed);
    EXPECT_FALSE(o.patch.has_value());
    EXPECT_FALSE(o.body["response"].contains("patchType"));
  }
}

TEST_F(PodMutation, UnreadableGpuRequestIsRefusedNotPatched) {
  json pod = fixturePod();
  pod["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/mig-1g.10gb"] = "500m";
  Outcome o = mutate(pod);
  EXPECT_FALSE(o.allowed);
  EXPECT_EQ(o.code, 400);
  EXPECT_NE(o.message.find("nvidia.com/mig-1g.10gb"), std::string::npos) << o.message;
  EXPECT_FALSE(o.patch.has_value());
}

TEST_F(PodMutation, EveryVariantPatchAppliesAndIsStable) {
  std::vector<json> variants;
  json base = fixturePod();
  variants.push_back(base);
  json noEnv = base;
  noEnv["spec"]["containers"][0].erase("env");
  variants.push_back(noEnv);
  json nullEnv = base;
  nullEnv["spec"]["containers"][1]["env"] = nullptr;
  variants.push_back(nullEnv);
  json emptyTerms = base;
  emptyTerms["spec"]["affinity"]["nodeAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"]
            ["nodeSelectorTerms"] = json::array();
  variants.push_back(emptyTerms);
  json twoProfiles = base;
  twoProfiles["spec"]["containers"].push_back(testutil::gpuContainer("eval", "nvidia.com/mig-3g.40gb", 1));
  variants.push_back(twoProfiles);
  json oddKeys = base;
  oddKeys["metadata"]["annotations"]["a~b/c"] = "x";
  variants.push_back(oddKeys);
  for (size_t i = 0; i < variants.size(); ++i) {
    SCOPED_TRACE("variant " + std::to_string(i));
    json out = mutateAndApply(variants[i]);
    EXPECT_EQ(envValue(out["spec"]["containers"][0], "NCCL_NVLS_ENABLE"), "0");
  }
}

TEST_F(PodMutation, TwoProfilesNarrowTheProductsToModelsWithBoth) {
  json pod = fixturePod();
  pod["spec"]["containers"].push_back(testutil::gpuContainer("eval", "nvidia.com/mig-3g.40gb", 1));
  json out = mutateAndApply(pod);
  // 1g.10gb and 3g.40gb: A100-80GB and H100-80GB have both; A100-40GB has no 3g.40gb.
  EXPECT_TRUE(podSchedulableOn(out, gpuNode("NVIDIA-A100-SXM4-80GB", "550", "54", "15")));
  EXPECT_TRUE(podSchedulableOn(out, gpuNode("NVIDIA-H100-80GB-HBM3", "550", "54", "15")));
  EXPECT_FALSE(podSchedulableOn(out, gpuNode("NVIDIA-A100-SXM4-40GB", "550", "54", "15")));
}

}  // namespace
}  // namespace migwarden::rules
