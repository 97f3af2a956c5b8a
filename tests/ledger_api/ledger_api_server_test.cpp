// The ledger API mounted in the real HTTPS server (port 0, real TLS), read by
// httpsGet and by `migwardenctl ledger show --server` as a separate process.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <thread>

#include "tests/ledger_api/ledger_api_fixture.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_certs.h"
#include "webhook/ledger/api/https_get.h"
#include "webhook/server/webhook_server.h"

namespace migwarden::ledger::testutil {
namespace {

using migwarden::testing::writeFile;

class LedgerApiOverTls : public LedgerApiTest {
 protected:
  void SetUp() override {
    pki_ = migwarden::testing::makeTestPki({"localhost"}, {"127.0.0.1"});
    writeFile(files_.file("tls.crt"), pki_.certPem);
    writeFile(files_.file("tls.key"), pki_.keyPem);
    writeFile(files_.file("ca.crt"), pki_.caPem);
    // The wiring cmd/webhook needs: both methods of the prefix go to the API.
    auto handler = [this](const HttpRequest& r) { return server::HandlerResult{api_->handle(r)}; };
    router_.addPrefix("GET", "/ledger/v1/", handler);
    router_.addPrefix("PUT", "/ledger/v1/", handler);
    server::ServerOptions options;
    options.listen = {"127.0.0.1", 0};
    options.healthListen = {"127.0.0.1", 0};
    options.handleSignals = false;
    options.certPollInterval = std::chrono::hours(1);
    certs_ = std::make_unique<server::CertificateStore>(
        server::TlsFiles{files_.file("tls.crt"), files_.file("tls.key"), ""}, serverMetrics_);
    ASSERT_TRUE(certs_->load().ok());
    server_ = std::make_unique<server::WebhookServer>(options, router_, *certs_, readiness_, serverMetrics_);
    Status s = server_->start();
    ASSERT_TRUE(s.ok()) << s.toString();
    url_ = "https://127.0.0.1:" + std::to_string(server_->tlsEndpoint().port());
    runner_ = std::thread([this] { server_->run(); });
  }
  void TearDown() override {
    if (!runner_.joinable()) return;
    server_->requestShutdown();
    runner_.join();
  }

  HttpsGetRequest getRequest(const std::string& path, const std::string& token) {
    HttpsGetRequest r;
    r.server = url_;
    r.path = path;
    r.bearerToken = token;
    r.caFile = files_.file("ca.crt");
    return r;
  }

  migwarden::testing::TempDir files_;
  migwarden::testing::TestPki pki_;
  MetricsRegistry serverMetrics_;
  server::Router router_;
  server::Readiness readiness_;
  std::unique_ptr<server::CertificateStore> certs_;
  std::unique_ptr<server::WebhookServer> server_;
  std::thread runner_;
  std::string url_;
};

TEST_F(LedgerApiOverTls, GetNodeOverRealTlsReturnsTheReport) {
  ASSERT_TRUE(fixture_.store().applyNodeReport(a100Node("gpu-a")).ok());
  auto r = httpsGet(getRequest("/ledger/v1/nodes/gpu-a", tokenFor("gpu-a")));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->status, 200) << r->body;
  EXPECT_EQ(nlohmann::json::parse(r->body)["summary"]["name"], "gpu-a");
  auto denied = httpsGet(getRequest("/ledger/v1/nodes/gpu-a", ""));
  ASSERT_TRUE(denied.ok());
  EXPECT_EQ(denied->status, 401);
}

TEST_F(LedgerApiOverTls, ClientRefusesAServerItCannotVerify) {
  HttpsGetRequest r = getRequest("/ledger/v1/nodes", tokenFor("gpu-a"));
  const auto other = migwarden::testing::makeSelfSigned("someone-else");
  writeFile(files_.file("other-ca.crt"), other.certPem);
  r.caFile = files_.file("other-ca.crt");
  auto result = httpsGet(r);
  EXPECT_EQ(result.status().code(), StatusCode::kUnavailable) << result.status().toString();
  EXPECT_NE(result.status().message().find("TLS handshake"), std::string::npos);
}

TEST_F(LedgerApiOverTls, ClientRejectsMalformedServerUrls) {
  for (const char* bad : {"http://127.0.0.1:1", "https://", "https://[::1", "https://host:0", "https://host:99999",
                          "https://host:x"}) {
    HttpsGetRequest r = getRequest("/ledger/v1/nodes", "t");
    r.server = bad;
    EXPECT_EQ(httpsGet(r).status().code(), StatusCode::kInvalidArgument) << bad;
  }
}

#ifdef MIGWARDENCTL_PATH
int runCtl(const std::string& args, std::string* out) {
  FILE* pipe = popen((std::string(MIGWARDENCTL_PATH) + " " + args + " 2>&1").c_str(), "r");
  if (pipe == nullptr) return -1;
  std::array<char, 4096> buf{};
  size_t n = 0;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) out->append(buf.data(), n);
  const int status = pclose(pipe);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(LedgerApiOverTls, CtlShowServerPrintsTheLiveLedger) {
  ASSERT_TRUE(fixture_.store().applyNodeReport(a100Node("gpu-a", 1, 7)).ok());
  ASSERT_TRUE(fixture_.store().reserve(reserveRequest("uid-5", "gpu-a", 2)).ok());
  // Reads accept any node's token (minted and verified on the fixture's clock).
  writeFile(files_.file("token"), tokenFor("gpu-z") + "\n");
  std::string out;
  const std::string common = "ledger show --server " + url_ + " --token-file " + files_.file("token") +
                             " --cacert " + files_.file("ca.crt");
  ASSERT_EQ(runCtl(common, &out), 0) << out;
  EXPECT_NE(out.find("gpu-a  nvidia.com/mig-1g.5gb  5/7"), std::string::npos) << out;
  EXPECT_NE(out.find("uid-5"), std::string::npos) << out;

  std::string json;
  ASSERT_EQ(runCtl(common + " --output json", &json), 0) << json;
  EXPECT_EQ(nlohmann::json::parse(json)["nodes"][0]["name"], "gpu-a");

  writeFile(files_.file("bad-token"), tokenFor("gpu-a", "a-different-key-that-is-long-enough-000"));
  std::string denied;
  EXPECT_EQ(runCtl("ledger show --server " + url_ + " --token-file " + files_.file("bad-token") + " --cacert " +
                       files_.file("ca.crt"),
                   &denied),
            1);
  EXPECT_NE(denied.find("HTTP 401"), std::string::npos) << denied;
}
#endif

}  // namespace
}  // namespace migwarden::ledger::testutil
