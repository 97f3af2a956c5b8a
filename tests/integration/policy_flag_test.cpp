// A policy author's compiled table, loaded by the webhook with --policy; a broken or
// tampered one stops startup with a message naming it (never a silent fallback), and a
// changed one is reloaded while the webhook runs.
#include <filesystem>

#include "tests/support/blackbox/webhook_test_base.h"

namespace migwarden::testing {
namespace {

class PolicyFlag : public WebhookTest {
 protected:
  std::string compileDefault() {
    std::string out = dir_.file("policy.artifact.json");
    ProcessResult r = runToCompletion({builtBinary("migwardenctl"), "policy", "compile",
                                       std::string(MIGWARDEN_SOURCE_DIR) + "/policies/default.jsonc", "-o", out});
    EXPECT_EQ(r.exitCode, 0) << r.output;
    return out;
  }
  ProcessResult startExpectingFailure(std::vector<std::string> extra) {
    std::vector<std::string> argv{builtBinary("migwarden-webhook"), "--listen", "127.0.0.1:0", "--health-listen",
                                  "127.0.0.1:0", "--tls-cert", pki_.certPath, "--tls-key", pki_.keyPath,
                                  "--ledger-dir", dir_.file("ledger")};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return runToCompletion(argv);
  }
};

TEST_F(PolicyFlag, ACompiledArtifactIsLoadedAndItsDigestLogged) {
  std::string artifact = compileDefault();
  startWebhook({"--policy", artifact});
  EXPECT_TRUE(webhook_->waitForOutput("policy: " + artifact + " sha256:")) << webhook_->output();
}

TEST_F(PolicyFlag, WithoutPolicyTheBuiltInTableIsUsed) {
  startWebhook();
  EXPECT_TRUE(webhook_->waitForOutput("policy: built-in table sha256:")) << webhook_->output();
}

TEST_F(PolicyFlag, ATamperedArtifactStopsStartupNamingTheFile) {
  std::string artifact = compileDefault();
  std::string bytes = readFile(artifact);
  auto pos = bytes.find("\"1g.5gb\"");
  ASSERT_NE(pos, std::string::npos);
  bytes.replace(pos, 8, "\"1g.6gb\"");
  writeFile(artifact, bytes);
  ProcessResult r = startExpectingFailure({"--policy", artifact});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.output.find(artifact), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("digest"), std::string::npos) << r.output;
}

TEST_F(PolicyFlag, AMissingArtifactStopsStartupNamingTheFlag) {
  ProcessResult r = startExpectingFailure({"--policy", dir_.file("nope.json")});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.output.find("--policy"), std::string::npos) << r.output;
}

TEST_F(PolicyFlag, AnUnsignedArtifactIsRefusedWhenAPublicKeyIsRequired) {
  std::string artifact = compileDefault();
  writeFile(dir_.file("pub.pem"), "-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----\n");
  ProcessResult r = startExpectingFailure({"--policy", artifact, "--policy-pubkey", dir_.file("pub.pem")});
  EXPECT_EQ(r.exitCode, 1);
  EXPECT_NE(r.output.find("sign"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace migwarden::testing

namespace migwarden::testing {
namespace {

// A policy author ships a new table by replacing the artifact file (e.g. a ConfigMap).
class PolicyReload : public PolicyFlag {
 protected:
  std::string compileVariant() {
    std::string source = readFile(std::string(MIGWARDEN_SOURCE_DIR) + "/policies/default.jsonc");
    const std::string from = R"("cuda-label-conflict", "action": "warn")";
    auto pos = source.find(from);
    EXPECT_NE(pos, std::string::npos);
    source.replace(pos, from.size(), R"("cuda-label-conflict", "action": "audit")");
    writeFile(dir_.file("variant.jsonc"), source);
    std::string out = dir_.file("variant.artifact.json");
    ProcessResult r = runToCompletion({builtBinary("migwardenctl"), "policy", "compile", dir_.file("variant.jsonc"), "-o", out});
    EXPECT_EQ(r.exitCode, 0) << r.output;
    return out;
  }
};

TEST_F(PolicyReload, AChangedArtifactIsSwappedInAndABrokenOneIsRefused) {
  std::string artifact = compileDefault();
  startWebhook({"--policy", artifact, "--policy-poll-interval", "100ms"});

  std::filesystem::rename(compileVariant(), artifact);
  ASSERT_TRUE(webhook_->waitForOutput("policy reloaded: sha256:")) << webhook_->output();

  writeFile(dir_.file("broken.json"), "{\"format\": \"not an artifact\"");
  std::filesystem::rename(dir_.file("broken.json"), artifact);
  ASSERT_TRUE(webhook_->waitForOutput("policy reload refused")) << webhook_->output();
  EXPECT_EQ(post("/validate", admissionFixture("gpu-pod-create-validate.json")).status, 200);
  std::string m = metrics();
  EXPECT_NE(m.find("migwarden_policy_reloads_total 1"), std::string::npos) << m;
  EXPECT_NE(m.find("migwarden_policy_reload_failures_total 1"), std::string::npos) << m;
}

}  // namespace
}  // namespace migwarden::testing
