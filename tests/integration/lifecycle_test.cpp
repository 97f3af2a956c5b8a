// The process as an operator and the kubelet see it: flags, health, metrics, logs and
// a graceful stop on SIGTERM.
#include <signal.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "tests/support/blackbox/webhook_test_base.h"

namespace migwarden::testing {
namespace {

using nlohmann::json;

TEST(WebhookCommandLine, HelpDocumentsEveryFlag) {
  ProcessResult r = runToCompletion({builtBinary("migwarden-webhook"), "--help"});
  EXPECT_EQ(r.exitCode, 0);
  for (const char* flag : {"--listen", "--health-listen", "--tls-cert", "--tls-key", "--client-ca", "--threads",
                           "--log-level", "--log-format", "--max-body-bytes", "--max-connections",
                           "--header-timeout", "--cert-poll-interval", "--shutdown-grace", "--policy",
                           "--ledger-dir", "--agent-audience", "--audit-log"})
    EXPECT_NE(r.output.find(flag), std::string::npos) << flag << " is not in --help";
}

TEST(WebhookCommandLine, AnUnknownFlagExitsWithCode2NamingIt) {
  ProcessResult r = runToCompletion({builtBinary("migwarden-webhook"), "--no-such-flag"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.output.find("--no-such-flag"), std::string::npos) << r.output;
}

TEST(WebhookCommandLine, ABadValueExitsWithCode2NamingTheFlag) {
  ProcessResult r = runToCompletion({builtBinary("migwarden-webhook"), "--threads", "many"});
  EXPECT_EQ(r.exitCode, 2);
  EXPECT_NE(r.output.find("--threads"), std::string::npos) << r.output;
}

TEST(WebhookCommandLine, AMissingCertificateFailsStartupNamingTheFile) {
  ProcessResult r = runToCompletion({builtBinary("migwarden-webhook"), "--listen", "127.0.0.1:0", "--health-listen",
                                     "127.0.0.1:0", "--tls-cert", "/nonexistent/tls.crt", "--tls-key",
                                     "/nonexistent/tls.key"});
  EXPECT_NE(r.exitCode, 0);
  EXPECT_NE(r.output.find("/nonexistent/tls.crt"), std::string::npos) << r.output;
}

using Lifecycle = WebhookTest;

TEST_F(Lifecycle, HealthzAndReadyzAnswerOnThePlainHealthPort) {
  startWebhook();
  auto health = connectHealth();
  auto live = health->request("GET", "/healthz");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);
  auto ready = health->request("GET", "/readyz");
  ASSERT_TRUE(ready);
  EXPECT_EQ(ready->status, 200) << ready->body;
}

TEST_F(Lifecycle, MetricsCountRequestsByPathCodeAndDecision) {
  startWebhook();
  post("/validate", admissionFixture("gpu-pod-create.json"));
  post("/validate", "{");
  std::string m = metrics();
  for (const char* series :
       {"migwarden_http_requests_total{", "path=\"/validate\"", "code=\"200\"", "code=\"400\"",
        "migwarden_http_request_duration_seconds_bucket{", "le=\"0.0001\"", "le=\"10\"",
        "migwarden_tls_handshakes_total", "migwarden_tls_cert_not_after_seconds"})
    EXPECT_NE(m.find(series), std::string::npos) << series << " missing in:\n" << m;
}

TEST_F(Lifecycle, JsonLogsAreOneJsonObjectPerLine) {
  startWebhook({"--log-format", "json"});
  std::istringstream lines(webhook_->output());
  std::string line;
  int parsed = 0;
  while (std::getline(lines, line)) {
    if (line.empty()) continue;
    auto j = json::parse(line, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << "not JSON: " << line;
    ++parsed;
  }
  EXPECT_GE(parsed, 2);
}

TEST_F(Lifecycle, SigtermLetsAnInFlightRequestFinishThenExitsZero) {
  startWebhook();
  std::string body = admissionFixture("gpu-pod-create.json");
  auto client = connectTls();
  ASSERT_NE(client, nullptr);
  // Headers and half the body are in: the request is in flight.
  std::string head = "POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: " +
                     std::to_string(body.size()) + "\r\n\r\n";
  ASSERT_TRUE(client->sendRaw(head + body.substr(0, body.size() / 2)));
  ASSERT_TRUE(connectTls()->request("POST", "/validate", body));  // the server has seen us

  webhook_->sendSignal(SIGTERM);
  ASSERT_TRUE(webhook_->waitForOutput("draining")) << webhook_->output();
  ASSERT_TRUE(client->sendRaw(body.substr(body.size() / 2)));
  auto reply = client->readReply();
  ASSERT_TRUE(reply) << "in-flight request was dropped; output:\n" << webhook_->output();
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(webhook_->waitForExit(), 0) << webhook_->output();
}

TEST_F(Lifecycle, SigtermWithOnlyIdleConnectionsExitsZeroPromptly) {
  startWebhook();
  auto idle = connectTls();
  ASSERT_TRUE(idle->request("POST", "/validate", admissionFixture("gpu-pod-create.json")));
  webhook_->sendSignal(SIGTERM);
  EXPECT_EQ(webhook_->waitForExit(), 0) << webhook_->output();
  EXPECT_TRUE(idle->waitForClose(std::chrono::seconds(5)));
}

}  // namespace
}  // namespace migwarden::testing
