// Spec: /validate hardening rules (device-env-hardening, privileged-gpu).
#include <gtest/gtest.h>

#include "tests/rules/rules_test_util.h"
#include "webhook/rules/pod_validation.h"

namespace migwarden::rules {
namespace {

using admission::Endpoint;
using namespace testutil;

class ValidateHardening : public ::testing::Test {
 protected:
  RulesHarness h;
  void SetUp() override { h.seed(a100Report("gpu-a", 1, "1g.10gb", 4)); }
  Outcome validate(const json& pod) { return h.run(Endpoint::kValidate, podReview(pod), makePodValidationRules); }
};

TEST_F(ValidateHardening, EachDeviceVariableSetByTheUserIsDenied) {
  for (const char* name : {"NVIDIA_VISIBLE_DEVICES", "CUDA_VISIBLE_DEVICES", "NVIDIA_MIG_CONFIG_DEVICES",
                           "NVIDIA_MIG_MONITOR_DEVICES"}) {
    json c = gpuContainer("train", kMig1g10, 1);
    addEnv(c, name, "all");
    Outcome o = validate(podObject("p", {c}));
    EXPECT_FALSE(o.allowed) << name;
    EXPECT_NE(o.message.find(std::string("device-env-hardening: container \"train\": env ") + name +
                             " is set to \"all\""),
              std::string::npos)
        << o.message;
  }
}

TEST_F(ValidateHardening, DeviceVariableFromASecretIsDenied) {
  json c = gpuContainer("train", kMig1g10, 1);
  c["env"] = json::array({{{"name", "CUDA_VISIBLE_DEVICES"},
                           {"valueFrom", {{"secretKeyRef", {{"name", "s"}, {"key", "k"}}}}}}});
  Outcome o = validate(podObject("p", {c}));
  EXPECT_FALSE(o.allowed);
  EXPECT_NE(o.message.find("env CUDA_VISIBLE_DEVICES is set from"), std::string::npos) << o.message;
}

TEST_F(ValidateHardening, NonGpuPodSettingVisibleDevicesToAllIsDenied) {
  json c = container("web", "nginx", json{{"cpu", "1"}});
  addEnv(c, "NVIDIA_VISIBLE_DEVICES", "all");
  Outcome o = validate(podObject("web", {c}));
  EXPECT_FALSE(o.allowed);
  EXPECT_NE(o.message.find("container \"web\": env NVIDIA_VISIBLE_DEVICES"), std::string::npos) << o.message;
}

TEST_F(ValidateHardening, VoidInjectedByTheMutatingWebhookIsAllowedInANonGpuContainer) {
  json gpu = gpuContainer("train", kMig1g10, 1);
  json side = container("log-shipper", "fluent-bit");
  addEnv(side, "NVIDIA_VISIBLE_DEVICES", "void");
  Outcome o = validate(podObject("p", {gpu, side}));
  EXPECT_TRUE(o.allowed) << o.message;
}

TEST_F(ValidateHardening, VoidInAGpuContainerIsStillDenied) {
  json gpu = gpuContainer("train", kMig1g10, 1);
  addEnv(gpu, "NVIDIA_VISIBLE_DEVICES", "void");
  Outcome o = validate(podObject("p", {gpu}));
  EXPECT_FALSE(o.allowed);
}

TEST_F(ValidateHardening, EnvFromGetsAWarningOnly) {
  json c = gpuContainer("train", kMig1g10, 1);
  c["envFrom"] = json::array({{{"configMapRef", {{"name", "settings"}}}}});
  Outcome o = validate(podObject("p", {c}));
  EXPECT_TRUE(o.allowed) << o.message;
  EXPECT_TRUE(o.hasWarningContaining("container \"train\": envFrom ConfigMap \"settings\" may set device variables"));
}

TEST_F(ValidateHardening, EnvFromWithAPrefixThatCannotFormADeviceNameIsQuiet) {
  json c = gpuContainer("train", kMig1g10, 1);
  c["envFrom"] = json::array({{{"prefix", "APP_"}, {"configMapRef", {{"name", "settings"}}}}});
  Outcome o = validate(podObject("p", {c}));
  EXPECT_TRUE(o.warnings.empty());
}

TEST_F(ValidateHardening, PrivilegedGpuContainerIsDenied) {
  json c = gpuContainer("train", kMig1g10, 1);
  c["securityContext"] = {{"privileged", true}};
  Outcome o = validate(podObject("p", {c}));
  EXPECT_FALSE(o.allowed);
  EXPECT_NE(o.message.find("privileged-gpu: container \"train\": securityContext.privileged is true in a GPU pod"),
            std::string::npos)
      << o.message;
}

TEST_F(ValidateHardening, HostPathToNvidiaDevicesIsDeniedEvenWithoutGpuRequests) {
  json pod = podObject("p", {container("tool", "busybox")});
  pod["spec"]["volumes"] = json::array({{{"name", "dev"}, {"hostPath", {{"path", "/dev//nvidia0"}}}}});
  Outcome o = validate(pod);
  EXPECT_FALSE(o.allowed);
  EXPECT_NE(o.message.find("privileged-gpu: volume \"dev\": hostPath \"/dev//nvidia0\" exposes NVIDIA device nodes"),
            std::string::npos)
      << o.message;
}

TEST_F(ValidateHardening, NamespaceExemptedByAnAuditOverrideIsAllowedAndAudited) {
  h.overrideAction("privileged-gpu", policy::Action::kAudit);
  json c = gpuContainer("train", kMig1g10, 1);
  c["securityContext"] = {{"privileged", true}};
  Outcome o = validate(podObject("p", {c}));
  EXPECT_TRUE(o.allowed) << o.message;
  EXPECT_TRUE(o.warnings.empty());
  EXPECT_EQ(o.annotation("rule.privileged-gpu"), "audit");
}

TEST_F(ValidateHardening, PrivilegedDebugContainerAddedToAGpuPodIsDenied) {
  json old = fixtureGpuPod();
  json pod = old;
  json debug = container("debugger", "busybox");
  debug.erase("resources");
  debug["securityContext"] = {{"privileged", true}};
  pod["spec"]["ephemeralContainers"] = json::array({debug});
  Outcome o = h.run(Endpoint::kValidate, ephemeralContainersReview(pod, old), makePodValidationRules);
  EXPECT_FALSE(o.allowed);
  EXPECT_NE(o.message.find("privileged-gpu: ephemeralContainer \"debugger\": securityContext.privileged"),
            std::string::npos)
      << o.message;
}

TEST_F(ValidateHardening, PlainPodUpdateIsNotRejudged) {
  json c = gpuContainer("train", kMig1g10, 1);
  addEnv(c, "NVIDIA_VISIBLE_DEVICES", "all");  // admitted under an older policy, say
  json pod = podObject("p", {c});
  json updated = pod;
  updated["metadata"]["labels"]["touched"] = "yes";
  Outcome o = h.run(Endpoint::kValidate, podReview(updated, "UPDATE", false, pod), makePodValidationRules);
  EXPECT_TRUE(o.allowed) << o.message;
}

TEST_F(ValidateHardening, PlainNonGpuPodIsAllowedWithoutAnnotations) {
  Outcome o = h.run(Endpoint::kValidate, fixture("admission/non-gpu-pod-create.json"), makePodValidationRules);
  EXPECT_TRUE(o.allowed);
  EXPECT_TRUE(o.annotations.empty());
  EXPECT_TRUE(o.warnings.empty());
}

TEST_F(ValidateHardening, MutateEndpointIsNotJudgedByValidationRules) {
  json c = gpuContainer("train", kMig1g10, 1);
  addEnv(c, "NVIDIA_VISIBLE_DEVICES", "all");
  Outcome o = h.run(Endpoint::kMutate, podReview(podObject("p", {c})), makePodValidationRules);
  EXPECT_TRUE(o.allowed);
}

}  // namespace
}  // namespace migwarden::rules
