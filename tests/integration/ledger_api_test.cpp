// A node agent's view of the webhook: it pushes node reports with a JWT to the ledger
// API on the TLS port, and what it reported survives a restart of the webhook.
#include <nlohmann/json.hpp>

#include <csignal>

#include "tests/support/blackbox/webhook_test_base.h"

namespace migwarden::testing {
namespace {

using nlohmann::json;

class LedgerApiThroughTheWebhook : public WebhookTest {
 protected:
  void SetUp() override {
    WebhookTest::SetUp();
    writeFile(keyFile(), "an-hs256-key-for-tests-that-is-long-enough-0123456789\n");
  }
  std::string keyFile() const { return dir_.file("agent.key"); }
  void startWithAgentAuth() { startWebhook({"--agent-hs256-key", keyFile()}); }
  // A dev token minted the way docs/agent-auth.md tells people to.
  std::string tokenFor(const std::string& node) {
    ProcessResult r = runToCompletion({builtBinary("migwardenctl"), "token", "--node", node, "--key-file", keyFile()});
    EXPECT_EQ(r.exitCode, 0) << r.output;
    std::string token = r.output;
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r')) token.pop_back();
    return token;
  }
  std::optional<HttpReply> put(const std::string& node, const std::string& report, const std::string& token) {
    std::vector<std::pair<std::string, std::string>> headers;
    if (!token.empty()) headers.emplace_back("Authorization", "Bearer " + token);
    return connectTls()->request("PUT", "/ledger/v1/nodes/" + node, report, "application/json", headers);
  }
  std::optional<HttpReply> get(const std::string& path, const std::string& token) {
    return connectTls()->request("GET", path, "", "application/json", {{"Authorization", "Bearer " + token}});
  }
  static std::string report(int sequence) {
    json r = json::parse(readFixture("ledger/node-report-gpu-a.json"));
    r["sequence"] = sequence;
    return r.dump();
  }
};

TEST_F(LedgerApiThroughTheWebhook, AReportWithTheNodesTokenIsAcceptedAndReadBack) {
  startWithAgentAuth();
  std::string token = tokenFor("gpu-a");
  auto accepted = put("gpu-a", report(7), token);
  ASSERT_TRUE(accepted);
  EXPECT_EQ(accepted->status, 200) << accepted->body;

  auto node = get("/ledger/v1/nodes/gpu-a", token);
  ASSERT_TRUE(node);
  EXPECT_EQ(node->status, 200);
  EXPECT_NE(node->body.find("MIG-0c6a3e8f-1b2d-5f4a-8e9c-7d1a2b3c4d03"), std::string::npos) << node->body;
}

TEST_F(LedgerApiThroughTheWebhook, NoTokenIs401AndAnotherNodesTokenIs403) {
  startWithAgentAuth();
  auto anonymous = put("gpu-a", report(7), "");
  ASSERT_TRUE(anonymous);
  EXPECT_EQ(anonymous->status, 401);
  EXPECT_FALSE(anonymous->header("www-authenticate").empty());

  auto otherNode = put("gpu-a", report(7), tokenFor("gpu-b"));
  ASSERT_TRUE(otherNode);
  EXPECT_EQ(otherNode->status, 403) << otherNode->body;
}

TEST_F(LedgerApiThroughTheWebhook, AStaleSequenceIs409) {
  startWithAgentAuth();
  std::string token = tokenFor("gpu-a");
  ASSERT_EQ(put("gpu-a", report(7), token)->status, 200);
  auto stale = put("gpu-a", report(6), token);
  ASSERT_TRUE(stale);
  EXPECT_EQ(stale->status, 409) << stale->body;
}

TEST_F(LedgerApiThroughTheWebhook, AMalformedReportIs400NamingTheField) {
  startWithAgentAuth();
  json r = json::parse(report(7));
  r["gpus"][0]["migDevices"][1]["placement"]["size"] = "one";
  auto bad = put("gpu-a", r.dump(), tokenFor("gpu-a"));
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->status, 400);
  EXPECT_NE(bad->body.find("gpus[0].migDevices[1].placement.size"), std::string::npos) << bad->body;
}

TEST_F(LedgerApiThroughTheWebhook, AnAcceptedReportSurvivesARestart) {
  startWithAgentAuth();
  std::string token = tokenFor("gpu-a");
  ASSERT_EQ(put("gpu-a", report(7), token)->status, 200);
  webhook_->sendSignal(SIGTERM);
  ASSERT_EQ(webhook_->waitForExit(), 0) << webhook_->output();

  startWithAgentAuth();  // same --ledger-dir
  auto node = get("/ledger/v1/nodes/gpu-a", token);
  ASSERT_TRUE(node);
  EXPECT_EQ(node->status, 200) << node->body;
  EXPECT_EQ(put("gpu-a", report(6), token)->status, 409) << "the sequence was recovered too";
}

TEST_F(LedgerApiThroughTheWebhook, WithoutAgentAuthTheApiIs503SayingHowToEnableIt) {
  startWebhook();
  auto reply = put("gpu-a", report(7), "whatever");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 503);
  EXPECT_NE(reply->body.find("--agent-hs256-key"), std::string::npos) << reply->body;
}

}  // namespace
}  // namespace migwarden::testing
