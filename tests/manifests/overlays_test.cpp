// Every kustomization under manifests/ renders, and each overlay adds what it promises:
// dev certificates and caBundle, cert-manager's Issuer/Certificate and CA injection, the
// CEL floor policy.
#include <algorithm>
#include <cctype>
#include <filesystem>

#include "tests/manifests/manifest_test_base.h"
#include "webhook/common/crypto.h"

namespace migwarden::testing {
namespace {

// Every kustomization under manifests/ (base, the overlays beside it and those under
// manifests/overlays/), as a path relative to manifests/. Components are left out: they
// only render as part of an overlay. A later overlay is covered without touching this file.
std::vector<std::string> kustomizations() {
  namespace fs = std::filesystem;
  const fs::path root = fs::path(MIGWARDEN_SOURCE_DIR) / "manifests";
  std::vector<std::string> out;
  for (const auto& entry : fs::recursive_directory_iterator(root)) {
    const fs::path file = entry.path() / "kustomization.yaml";
    if (!entry.is_directory() || !fs::exists(file)) continue;
    if (readFile(file.string()).find("\nkind: Component") != std::string::npos) continue;
    out.push_back(fs::relative(entry.path(), root).string());
  }
  std::sort(out.begin(), out.end());
  return out;
}

class EveryKustomization : public ManifestTest, public ::testing::WithParamInterface<std::string> {};

TEST_P(EveryKustomization, RendersWithKubectlKustomize) {
  render(GetParam());
  for (const auto& o : m().objects()) {
    EXPECT_TRUE(o.contains("apiVersion") && o.contains("kind")) << o.dump().substr(0, 200);
    EXPECT_FALSE(o["metadata"].value("name", "").empty()) << o.value("kind", "?");
  }
}

std::string overlayName(const ::testing::TestParamInfo<std::string>& info) {
  std::string name = info.param;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Manifests, EveryKustomization, ::testing::ValuesIn(kustomizations()), overlayName);

TEST(ManifestLayout, HasTheBaseAndTheThreeOverlays) {
  const auto all = kustomizations();
  for (const char* dir : {"base", "dev", "cert-manager", "floor"})
    EXPECT_NE(std::find(all.begin(), all.end(), dir), all.end()) << "manifests/" << dir;
}

class DevOverlay : public ManifestTest {
 protected:
  void SetUp() override { render("dev"); }
};

TEST_F(DevOverlay, CaBundleOfBothConfigurationsIsTheGeneratedCa) {
  const std::string caPem = readFile(m().copyDir() + "/dev/certs/ca.crt");
  for (const char* kind : {"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"}) {
    SCOPED_TRACE(kind);
    std::string bundle = m().get(kind, "migwarden")["webhooks"][0]["clientConfig"].value("caBundle", "");
    ASSERT_FALSE(bundle.empty());
    bundle.erase(std::remove_if(bundle.begin(), bundle.end(), ::isspace), bundle.end());
    const auto decoded = crypto::base64Decode(bundle);
    ASSERT_TRUE(decoded.has_value()) << "caBundle is not base64";
    EXPECT_EQ(*decoded, caPem);
  }
}

TEST_F(DevOverlay, ServingSecretHasTheNameTheDeploymentMounts) {
  const auto& secret = m().get("Secret", "migwarden-tls");
  EXPECT_EQ(secret["type"], "kubernetes.io/tls");
  for (const char* key : {"tls.crt", "tls.key", "ca.crt"}) EXPECT_TRUE(secret["data"].contains(key)) << key;
  bool mounted = false;
  for (const auto& v : m().get("Deployment", "migwarden-webhook")["spec"]["template"]["spec"]["volumes"])
    mounted |= v.contains("secret") && v["secret"]["secretName"] == "migwarden-tls";
  EXPECT_TRUE(mounted);
}

TEST_F(DevOverlay, AgentsGetTheCaButNeverAPrivateKey) {
  const auto& ca = m().get("ConfigMap", "migwarden-ca");
  EXPECT_EQ(ca["data"].value("ca.crt", ""), readFile(m().copyDir() + "/dev/certs/ca.crt"));
  for (const auto* cm : m().ofKind("ConfigMap"))
    for (const auto& [key, value] : (*cm)["data"].items())
      EXPECT_EQ(value.get<std::string>().find("PRIVATE KEY"), std::string::npos) << key;
}

class CertManagerOverlay : public ManifestTest {
 protected:
  void SetUp() override { render("cert-manager"); }
};

TEST_F(CertManagerOverlay, BothConfigurationsAskForTheServingCertificatesCa) {
  for (const char* kind : {"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"}) {
    SCOPED_TRACE(kind);
    const auto& cfg = m().get(kind, "migwarden");
    const std::string from = cfg["metadata"]["annotations"].value("cert-manager.io/inject-ca-from", "");
    ASSERT_NE(from.find('/'), std::string::npos) << "want <namespace>/<Certificate>, got \"" << from << "\"";
    const auto& cert = m().get("Certificate", from.substr(from.find('/') + 1));
    EXPECT_EQ(cert["metadata"]["namespace"], from.substr(0, from.find('/')));
    EXPECT_EQ(cert["spec"]["secretName"], "migwarden-tls");
    // No caBundle of our own: a re-apply must not overwrite the injected one.
    EXPECT_FALSE(cfg["webhooks"][0]["clientConfig"].contains("caBundle"));
  }
}

TEST_F(CertManagerOverlay, ServingCertificateNamesTheServiceAndComesFromAnIssuerHere) {
  const auto& cert = m().get("Certificate", "migwarden-serving");
  EXPECT_TRUE(contains(cert["spec"]["dnsNames"], "migwarden.migwarden.svc"));
  EXPECT_TRUE(contains(cert["spec"]["dnsNames"], "migwarden.migwarden.svc.cluster.local"));
  EXPECT_TRUE(contains(cert["spec"]["usages"], "server auth"));
  const auto& issuer = m().get("Issuer", cert["spec"]["issuerRef"]["name"]);
  ASSERT_TRUE(issuer["spec"].contains("ca"));
  const auto& caCert = m().get("Certificate", "migwarden-ca");
  EXPECT_EQ(caCert["spec"]["isCA"], true);
  EXPECT_EQ(caCert["spec"]["secretName"], issuer["spec"]["ca"]["secretName"]);
}

class FloorOverlay : public ManifestTest {
 protected:
  void SetUp() override { render("floor"); }
  const nlohmann::json& policy() const { return m().get("ValidatingAdmissionPolicy", "migwarden-floor"); }
};

TEST_F(FloorOverlay, PolicyIsBoundWithDeny) {
  const auto& binding = m().get("ValidatingAdmissionPolicyBinding", "migwarden-floor");
  EXPECT_EQ(binding["apiVersion"], "admissionregistration.k8s.io/v1");
  EXPECT_EQ(binding["spec"]["policyName"], policy()["metadata"]["name"]);
  EXPECT_TRUE(contains(binding["spec"]["validationActions"], "Deny"));
  EXPECT_FALSE(binding["spec"].contains("paramRef"));
}

TEST_F(FloorOverlay, PolicyCoversPodCreationAndEphemeralContainersAndFailsClosed) {
  const auto& spec = policy()["spec"];
  EXPECT_EQ(spec["failurePolicy"], "Fail");
  EXPECT_TRUE(ruleCovers(spec["matchConstraints"]["resourceRules"], "CREATE", "pods"));
  EXPECT_TRUE(ruleCovers(spec["matchConstraints"]["resourceRules"], "UPDATE", "pods/ephemeralcontainers"));
  EXPECT_TRUE(excludesNamespace(spec["matchConstraints"]["namespaceSelector"], "kube-system"));
  EXPECT_TRUE(excludesNamespace(spec["matchConstraints"]["namespaceSelector"], "migwarden"));
}

TEST_F(FloorOverlay, PolicyDeniesPrivilegedGpuPodsAndEveryDeviceVariable) {
  const auto& spec = policy()["spec"];
  ASSERT_GE(spec["validations"].size(), 2u);
  std::string all;
  for (const auto& v : spec["variables"]) all += v["expression"].get<std::string>() + "\n";
  for (const auto& v : spec["validations"]) {
    EXPECT_FALSE(v.value("message", "").empty()) << v["expression"];
    // The apiserver refuses messages with line breaks.
    EXPECT_EQ(v.value("message", "").find('\n'), std::string::npos) << v["message"];
    all += v["expression"].get<std::string>() + "\n";
  }
  EXPECT_NE(all.find("securityContext.privileged"), std::string::npos);
  EXPECT_NE(all.find("nvidia.com/"), std::string::npos);
  for (const char* env : {"NVIDIA_VISIBLE_DEVICES", "CUDA_VISIBLE_DEVICES", "NVIDIA_MIG_CONFIG_DEVICES",
                          "NVIDIA_MIG_MONITOR_DEVICES"})
    EXPECT_NE(all.find(std::string("'") + env + "'"), std::string::npos) << env;
}

TEST_F(FloorOverlay, StandsAloneWithoutTheWebhook) {
  for (const auto& o : m().objects()) {
    const std::string kind = o["kind"];
    EXPECT_TRUE(kind == "ValidatingAdmissionPolicy" || kind == "ValidatingAdmissionPolicyBinding") << kind;
  }
}

}  // namespace
}  // namespace migwarden::testing
