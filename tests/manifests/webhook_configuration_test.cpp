// The base's MutatingWebhookConfiguration and ValidatingWebhookConfiguration: what the
// apiserver sends, where, and what happens when the webhook does not answer.
#include "tests/manifests/manifest_test_base.h"

namespace migwarden::testing {
namespace {

class WebhookConfiguration : public ManifestTest {
 protected:
  void SetUp() override { render("base"); }
  const nlohmann::json& mutating() const {
    return m().get("MutatingWebhookConfiguration", "migwarden")["webhooks"][0];
  }
  const nlohmann::json& validating() const {
    return m().get("ValidatingWebhookConfiguration", "migwarden")["webhooks"][0];
  }
};

TEST_F(WebhookConfiguration, EachConfigurationHasExactlyOneWebhook) {
  EXPECT_EQ(m().get("MutatingWebhookConfiguration", "migwarden")["webhooks"].size(), 1u);
  EXPECT_EQ(m().get("ValidatingWebhookConfiguration", "migwarden")["webhooks"].size(), 1u);
}

TEST_F(WebhookConfiguration, MutationIsSentPodCreateOnly) {
  const auto& rules = mutating()["rules"];
  EXPECT_TRUE(ruleCovers(rules, "CREATE", "pods"));
  for (const char* op : {"UPDATE", "DELETE", "CONNECT", "*"}) EXPECT_FALSE(ruleCovers(rules, op, "pods")) << op;
  EXPECT_FALSE(ruleCovers(rules, "CREATE", "pods/binding"));
}

TEST_F(WebhookConfiguration, ValidationIsSentPodCreateDeleteBindingAndEphemeralContainers) {
  const auto& rules = validating()["rules"];
  EXPECT_TRUE(ruleCovers(rules, "CREATE", "pods"));
  EXPECT_TRUE(ruleCovers(rules, "DELETE", "pods"));
  EXPECT_TRUE(ruleCovers(rules, "CREATE", "pods/binding"));
  EXPECT_TRUE(ruleCovers(rules, "UPDATE", "pods/ephemeralcontainers"));
  // Plain pod updates are not judged (docs/admission-rules.md): do not pay for them.
  EXPECT_FALSE(ruleCovers(rules, "UPDATE", "pods"));
}

TEST_F(WebhookConfiguration, BothAcceptAdmissionReviewV1AndV1beta1) {
  for (const auto* w : {&mutating(), &validating()}) {
    EXPECT_TRUE(contains((*w)["admissionReviewVersions"], "v1")) << (*w)["name"];
    EXPECT_TRUE(contains((*w)["admissionReviewVersions"], "v1beta1")) << (*w)["name"];
  }
}

TEST_F(WebhookConfiguration, ValidationDeclaresNoSideEffectsOnDryRunAndMutationNone) {
  EXPECT_EQ(validating()["sideEffects"], "NoneOnDryRun");
  EXPECT_EQ(mutating()["sideEffects"], "None");
}

TEST_F(WebhookConfiguration, TimeoutsAreShort) {
  for (const auto* w : {&mutating(), &validating()}) {
    ASSERT_TRUE(w->contains("timeoutSeconds")) << (*w)["name"] << ": the default is 10s";
    EXPECT_GE((*w)["timeoutSeconds"].get<int>(), 1);
    EXPECT_LE((*w)["timeoutSeconds"].get<int>(), 10);
  }
}

TEST_F(WebhookConfiguration, MutationFailsOpenAndValidationFailsClosed) {
  EXPECT_EQ(mutating()["failurePolicy"], "Ignore");
  EXPECT_EQ(validating()["failurePolicy"], "Fail");
  EXPECT_EQ(mutating()["reinvocationPolicy"], "IfNeeded");
}

TEST_F(WebhookConfiguration, BothSkipKubeSystemTheirOwnNamespaceAndOptedOutNamespaces) {
  for (const auto* w : {&mutating(), &validating()}) {
    const auto& sel = (*w)["namespaceSelector"];
    EXPECT_TRUE(excludesNamespace(sel, "kube-system")) << (*w)["name"];
    EXPECT_TRUE(excludesNamespace(sel, "migwarden")) << (*w)["name"];
    bool optOut = false;
    for (const auto& e : sel["matchExpressions"])
      optOut |= e["key"] == "migwarden.io/ignore" && e["operator"] == "DoesNotExist";
    EXPECT_TRUE(optOut) << (*w)["name"];
  }
  EXPECT_EQ(m().get("Namespace", "migwarden")["metadata"]["labels"]["migwarden.io/ignore"], "true");
}

TEST_F(WebhookConfiguration, BothCallTheServiceOnItsTlsPortAndTheRightPath) {
  const auto& svc = m().get("Service", "migwarden");
  for (const auto& [w, path] : {std::pair{&mutating(), "/mutate"}, std::pair{&validating(), "/validate"}}) {
    const auto& ref = (*w)["clientConfig"]["service"];
    EXPECT_EQ(ref["name"], svc["metadata"]["name"]);
    EXPECT_EQ(ref["namespace"], svc["metadata"]["namespace"]);
    EXPECT_EQ(ref["path"], path);
    bool portServed = false;
    for (const auto& p : svc["spec"]["ports"]) portServed |= p["port"] == ref.value("port", 443);
    EXPECT_TRUE(portServed) << "Service migwarden has no port " << ref.value("port", 443);
    EXPECT_FALSE((*w)["clientConfig"].contains("url"));
  }
}

TEST_F(WebhookConfiguration, ValidationMatchConditionsLetBindingsThroughAndReadOldObjectOnDelete) {
  const auto& conditions = validating()["matchConditions"];
  ASSERT_FALSE(conditions.empty());
  ASSERT_LE(conditions.size(), 64u);
  std::string all;
  for (const auto& c : conditions) all += c["expression"].get<std::string>() + "\n";
  // A Binding has no spec.containers: a pod-shaped condition would error or skip it.
  EXPECT_NE(all.find("request.subResource == 'binding' ||"), std::string::npos);
  EXPECT_NE(all.find("request.operation == 'DELETE'"), std::string::npos);
  EXPECT_NE(all.find("oldObject.spec"), std::string::npos);
  EXPECT_NE(all.find("nvidia.com/"), std::string::npos);
  for (const char* env : {"NVIDIA_VISIBLE_DEVICES", "CUDA_VISIBLE_DEVICES", "NVIDIA_MIG_CONFIG_DEVICES",
                          "NVIDIA_MIG_MONITOR_DEVICES"})
    EXPECT_NE(all.find(env), std::string::npos) << env;
}

TEST_F(WebhookConfiguration, MutationSkipsMirrorPodsOnly) {
  const auto& conditions = mutating()["matchConditions"];
  ASSERT_EQ(conditions.size(), 1u);
  EXPECT_NE(conditions[0]["expression"].get<std::string>().find("kubernetes.io/config.mirror"), std::string::npos);
}

TEST_F(WebhookConfiguration, CaBundleIsLeftForAnOverlayToFill) {
  for (const auto* w : {&mutating(), &validating()}) EXPECT_EQ((*w)["clientConfig"].value("caBundle", "x"), "");
}

}  // namespace
}  // namespace migwarden::testing
