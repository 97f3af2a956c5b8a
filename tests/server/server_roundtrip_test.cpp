// The server in-process on port 0, spoken to over real TLS by a Beast client.
#include <gtest/gtest.h>

#include <functional>
#include <future>
#include <thread>

#include "tests/server/test_client.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_certs.h"
#include "webhook/server/cert_reloader.h"
#include "webhook/server/webhook_server.h"

namespace migwarden::server {
namespace {

using testing::TestReply;
using testing::TestTlsClient;
using testing::writeFile;

class ServerRoundTrip : public ::testing::Test {
 protected:
  void SetUp() override {
    pki_ = testing::makeTestPki({"localhost"}, {"127.0.0.1"});
    writeFile(dir_.file("tls.crt"), pki_.certPem);
    writeFile(dir_.file("tls.key"), pki_.keyPem);
    writeFile(dir_.file("ca.crt"), pki_.caPem);
    router_.add("POST", "/echo", [](const HttpRequest& r) {
      return HandlerResult{HttpResponse::json(200, r.body), "allowed"};
    });
    options_.listen = {"127.0.0.1", 0};
    options_.healthListen = {"127.0.0.1", 0};
    options_.threads = 2;
    options_.handleSignals = false;
    options_.certPollInterval = std::chrono::hours(1);  // tests call reload() themselves
    options_.limits.bodyLimitBytes = 1024;
    options_.limits.headerTimeout = std::chrono::milliseconds(300);
  }

  void start(bool mtls = false) {
    TlsFiles files{dir_.file("tls.crt"), dir_.file("tls.key"), mtls ? dir_.file("ca.crt") : ""};
    certs_ = std::make_unique<CertificateStore>(files, metrics_);
    ASSERT_TRUE(certs_->load().ok());
    server_ = std::make_unique<WebhookServer>(options_, router_, *certs_, readiness_, metrics_);
    Status s = server_->start();
    ASSERT_TRUE(s.ok()) << s.toString();
    port_ = server_->tlsEndpoint().port();
    runner_ = std::thread([this] { server_->run(); });
  }

  void stop() {
    if (!runner_.joinable()) return;
    server_->requestShutdown();
    runner_.join();
  }

  void TearDown() override { stop(); }

  uint64_t counter(const char* name) { return metrics_.counter(name, "").value(); }

  testing::TempDir dir_;
  testing::TestPki pki_;
  MetricsRegistry metrics_;
  Router router_;
  Readiness readiness_;
  ServerOptions options_;
  std::unique_ptr<CertificateStore> certs_;
  std::unique_ptr<WebhookServer> server_;
  std::thread runner_;
  uint16_t port_ = 0;
};

TEST_F(ServerRoundTrip, ServesSeveralRequestsOnOneKeepAliveConnection) {
  start();
  TestTlsClient client(port_, pki_.caPem);
  ASSERT_FALSE(client.connect());
  for (int i = 0; i < 3; ++i) {
    TestReply reply;
    ASSERT_FALSE(client.request("POST", "/echo", "{\"n\":1}", reply));
    EXPECT_EQ(reply.status, 200);
    EXPECT_EQ(reply.body, "{\"n\":1}");
  }
  EXPECT_EQ(counter("migwarden_tls_handshakes_total"), 1u);
}

TEST_F(ServerRoundTrip, AnswersUnknownPathAndWrongMethodWithJsonErrors) {
  start();
  TestTlsClient client(port_, pki_.caPem);
  ASSERT_FALSE(client.connect());
  TestReply notFound;
  ASSERT_FALSE(client.request("POST", "/nope", "{}", notFound));
  EXPECT_EQ(notFound.status, 404);
  TestReply wrongMethod;
  ASSERT_FALSE(client.request("GET", "/echo", "", wrongMethod));
  EXPECT_EQ(wrongMethod.status, 405);
  EXPECT_EQ(wrongMethod.allow, "POST");
  EXPECT_NE(wrongMethod.body.find("MethodNotAllowed"), std::string::npos);
}

TEST_F(ServerRoundTrip, OversizedBodyGets413AndTheConnectionCloses) {
  start();
  TestTlsClient client(port_, pki_.caPem);
  ASSERT_FALSE(client.connect());
  TestReply reply;
  ASSERT_FALSE(client.request("POST", "/echo", std::string(2048, 'x'), reply));
  EXPECT_EQ(reply.status, 413);
  EXPECT_NE(reply.body.find("RequestEntityTooLarge"), std::string::npos);
  EXPECT_EQ(reply.connection, "close");
  EXPECT_TRUE(client.waitForClose());
}

TEST_F(ServerRoundTrip, ClosesAConnectionWhoseHeaderNeverCompletes) {
  start();
  TestTlsClient client(port_, pki_.caPem);
  ASSERT_FALSE(client.connect());
  ASSERT_FALSE(client.writeRaw("POST /echo HTTP/1.1\r\nHost: localhost\r\n"));
  EXPECT_TRUE(client.waitForClose());
}

TEST_F(ServerRoundTrip, ClosesConnectionsBeyondTheLimitAndCountsThem) {
  options_.maxConnections = 1;
  start();
  TestTlsClient first(port_, pki_.caPem);
  ASSERT_FALSE(first.connect());
  TestTlsClient second(port_, pki_.caPem);
  EXPECT_TRUE(second.connect());  // closed on accept: the handshake fails
  EXPECT_EQ(counter("migwarden_connection_limit_rejections_total"), 1u);
  TestReply reply;
  ASSERT_FALSE(first.request("POST", "/echo", "{}", reply));
  EXPECT_EQ(reply.status, 200);
}

TEST_F(ServerRoundTrip, MutualTlsRequiresAClientCertificateFromTheCa) {
  start(/*mtls=*/true);
  TestTlsClient anonymous(port_, pki_.caPem);
  TestReply reply;
  // With TLS 1.3 the client may finish its side of the handshake before the server
  // refuses, so the failure can surface on the first request instead.
  bool refused = static_cast<bool>(anonymous.connect()) || static_cast<bool>(anonymous.request("POST", "/echo", "{}", reply));
  EXPECT_TRUE(refused);

  auto clientCert = testing::issueClientCert(pki_, "kube-apiserver");
  TestTlsClient apiserver(port_, pki_.caPem, &clientCert);
  ASSERT_FALSE(apiserver.connect());
  ASSERT_FALSE(apiserver.request("POST", "/echo", "{}", reply));
  EXPECT_EQ(reply.status, 200);

  auto stranger = testing::makeSelfSigned("stranger");
  TestTlsClient other(port_, pki_.caPem, &stranger);
  refused = static_cast<bool>(other.connect()) || static_cast<bool>(other.request("POST", "/echo", "{}", reply));
  EXPECT_TRUE(refused);
}

TEST_F(ServerRoundTrip, ReloadedCertificateServesNewHandshakesWhileOldConnectionsContinue) {
  start();
  TestTlsClient before(port_, pki_.caPem);
  ASSERT_FALSE(before.connect());
  EXPECT_EQ(before.peerCommonName(), "localhost");

  auto rotated = testing::issueCert(pki_, "rotated", {"localhost"}, {"127.0.0.1"}, false);
  writeFile(dir_.file("tls.crt"), rotated.certPem);
  writeFile(dir_.file("tls.key"), rotated.keyPem);
  ASSERT_TRUE(certs_->reload().ok());

  TestTlsClient after(port_, pki_.caPem);
  ASSERT_FALSE(after.connect());
  EXPECT_EQ(after.peerCommonName(), "rotated");
  TestReply reply;
  ASSERT_FALSE(before.request("POST", "/echo", "{}", reply));
  EXPECT_EQ(reply.status, 200);
}

TEST_F(ServerRoundTrip, ShutdownClosesIdleConnectionsAndMarksNotReady) {
  start();
  TestTlsClient idle(port_, pki_.caPem);
  ASSERT_FALSE(idle.connect());
  TestReply reply;
  ASSERT_FALSE(idle.request("POST", "/echo", "{}", reply));
  server_->requestShutdown();
  EXPECT_TRUE(idle.waitForClose());  // the server's close_notify
  idle.close();
  runner_.join();  // run() returns once the drain finished
  ASSERT_FALSE(readiness_.failing().empty());
  EXPECT_EQ(readiness_.failing().front(), "shutdown: draining");
}

TEST(CertReloader, ReloadsWhenTheFilesChange) {
  testing::TempDir dir;
  auto pki = testing::makeTestPki({"localhost"}, {});
  writeFile(dir.file("tls.crt"), pki.certPem);
  writeFile(dir.file("tls.key"), pki.keyPem);
  MetricsRegistry metrics;
  CertificateStore store({dir.file("tls.crt"), dir.file("tls.key"), ""}, metrics);
  ASSERT_TRUE(store.load().ok());
  boost::asio::io_context ioc;
  auto reloader = std::make_shared<CertReloader>(ioc, store, std::chrono::milliseconds(1));
  reloader->start();

  auto next = testing::issueCert(pki, "rotated", {"localhost"}, {}, false);
  writeFile(dir.file("tls.crt"), next.certPem);
  writeFile(dir.file("tls.key"), next.keyPem);
  Counter& reloads = metrics.counter("migwarden_tls_cert_reloads_total", "");
  for (int i = 0; i < 1000 && reloads.value() == 0; ++i) ioc.run_for(std::chrono::milliseconds(10));
  EXPECT_EQ(reloads.value(), 1u);
  reloader->stop();
  ioc.run_for(std::chrono::milliseconds(100));
}

}  // namespace
}  // namespace migwarden::server

namespace migwarden::server {
namespace {

TEST_F(ServerRoundTrip, OversizedHeaderGets431AndTheConnectionCloses) {
  options_.limits.headerLimitBytes = 1024;
  start();
  TestTlsClient client(port_, pki_.caPem);
  ASSERT_FALSE(client.connect());
  TestReply reply;
  std::string target = "/echo?";
  target.append(4096, 'q');
  ASSERT_FALSE(client.request("POST", target, "{}", reply));
  EXPECT_EQ(reply.status, 431);
  EXPECT_TRUE(client.waitForClose());
}

TEST_F(ServerRoundTrip, AHandlerThatThrowsGets500AndTheServerKeepsServing) {
  router_.add("POST", "/throw", [](const HttpRequest&) -> HandlerResult { throw std::runtime_error("bug"); });
  start();
  TestTlsClient client(port_, pki_.caPem);
  ASSERT_FALSE(client.connect());
  TestReply reply;
  ASSERT_FALSE(client.request("POST", "/throw", "{}", reply));
  EXPECT_EQ(reply.status, 500);
  ASSERT_FALSE(client.request("POST", "/echo", "{}", reply));
  EXPECT_EQ(reply.status, 200);
}

TEST_F(ServerRoundTrip, QueryStringDoesNotAffectRoutingAndMetricsUseTheRoute) {
  start();
  TestTlsClient client(port_, pki_.caPem);
  ASSERT_FALSE(client.connect());
  TestReply reply;
  ASSERT_FALSE(client.request("POST", "/echo?timeout=10s", "{}", reply));
  EXPECT_EQ(reply.status, 200);
  ASSERT_FALSE(client.request("POST", "/random-path-1", "{}", reply));
  EXPECT_EQ(reply.status, 404);
  std::string text = metrics_.renderPrometheus();
  EXPECT_NE(text.find("migwarden_http_requests_total{path=\"/echo\",code=\"200\",decision=\"allowed\"} 1"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("migwarden_http_requests_total{path=\"other\",code=\"404\",decision=\"none\"} 1"),
            std::string::npos);
  EXPECT_EQ(text.find("random-path"), std::string::npos);
}

TEST_F(ServerRoundTrip, ShutdownLetsTheRequestInFlightFinish) {
  std::promise<void> entered;
  std::promise<void> release;
  auto released = release.get_future().share();
  router_.add("POST", "/slow", [&entered, released](const HttpRequest&) {
    entered.set_value();
    released.wait();
    return HandlerResult{HttpResponse::json(200, "{\"done\":true}"), "allowed"};
  });
  start();
  TestTlsClient client(port_, pki_.caPem);
  ASSERT_FALSE(client.connect());
  auto inFlight = std::async(std::launch::async, [&] {
    TestReply reply;
    auto ec = client.request("POST", "/slow", "{}", reply);
    return std::make_pair(ec, reply);
  });
  entered.get_future().wait();
  server_->requestShutdown();
  // Readiness flips after every connection was asked to drain.
  while (readiness_.failing().empty()) std::this_thread::yield();
  release.set_value();
  auto [ec, reply] = inFlight.get();
  ASSERT_FALSE(ec) << ec.message();
  EXPECT_EQ(reply.status, 200);
  EXPECT_EQ(reply.body, "{\"done\":true}");
  EXPECT_EQ(reply.connection, "close");
  client.close();
  runner_.join();
  EXPECT_EQ(metrics_.gauge("migwarden_connections_active", "").value(), 0);
}

}  // namespace
}  // namespace migwarden::server
