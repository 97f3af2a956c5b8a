// TLS as kube-apiserver and a security review expect it: modern versions only, optional
// mTLS, and certificate rotation without downtime.
#include <filesystem>

#include "tests/support/blackbox/webhook_test_base.h"

namespace migwarden::testing {
namespace {

namespace fs = std::filesystem;

using TlsPolicy = WebhookTest;

TEST_F(TlsPolicy, Tls11IsRefused) {
  startWebhook();
  TlsOptions old = tlsOptions();
  old.minVersion = TLS1_VERSION;
  old.maxVersion = TLS1_1_VERSION;
  std::string error;
  EXPECT_EQ(HttpClient::connectTls(webhook_->tlsPort(), old, &error), nullptr);
  EXPECT_NE(metrics().find("migwarden_tls_handshake_failures_total"), std::string::npos);
}

TEST_F(TlsPolicy, Tls12AndTls13AreBothAccepted) {
  startWebhook();
  for (int version : {TLS1_2_VERSION, TLS1_3_VERSION}) {
    TlsOptions o = tlsOptions();
    o.minVersion = o.maxVersion = version;
    std::string error;
    auto client = HttpClient::connectTls(webhook_->tlsPort(), o, &error);
    ASSERT_NE(client, nullptr) << error;
    auto reply = client->request("POST", "/validate", admissionFixture("gpu-pod-create.json"));
    ASSERT_TRUE(reply);
    EXPECT_EQ(reply->status, 200) << client->negotiatedProtocol();
  }
}

TEST_F(TlsPolicy, TheServingCertificateVerifiesForTheInClusterServiceName) {
  startWebhook();
  TlsOptions o = tlsOptions();
  o.serverName = "migwarden.migwarden.svc";
  std::string error;
  EXPECT_NE(HttpClient::connectTls(webhook_->tlsPort(), o, &error), nullptr) << error;
}

TEST_F(TlsPolicy, WithAClientCaAClientWithoutACertificateGetsNoAnswer) {
  startWebhook({"--client-ca", pki_.caPath});
  std::string error;
  auto client = HttpClient::connectTls(webhook_->tlsPort(), tlsOptions(), &error);
  // TLS 1.2 fails the handshake; TLS 1.3 reports the missing certificate on first read.
  if (client) {
    EXPECT_FALSE(client->request("POST", "/validate", admissionFixture("gpu-pod-create.json")).has_value());
  }
}

TEST_F(TlsPolicy, WithAClientCaAClientCertificateFromThatCaIsServed) {
  startWebhook({"--client-ca", pki_.caPath});
  ClientCert apiserver = issueClientCert(pki_.dir, "kube-apiserver");
  TlsOptions o = tlsOptions();
  o.clientCertPem = apiserver.certPem;
  o.clientKeyPem = apiserver.keyPem;
  std::string error;
  auto client = HttpClient::connectTls(webhook_->tlsPort(), o, &error);
  ASSERT_NE(client, nullptr) << error;
  auto reply = client->request("POST", "/validate", admissionFixture("gpu-pod-create.json"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
}

// Kubernetes updates a mounted Secret by writing a new timestamped directory and
// renaming the `..data` symlink onto it; tls.crt and tls.key are symlinks through ..data.
class CertificateRotation : public WebhookTest {
 protected:
  void SetUp() override {
    WebhookTest::SetUp();
    secret_ = dir_.file("secret");
    fs::create_directories(secret_);
    publish("..2026_11_27_v1");
    fs::create_symlink("..data/tls.crt", secret_ + "/tls.crt");
    fs::create_symlink("..data/tls.key", secret_ + "/tls.key");
  }
  // Copies the current dev pair into a new version directory and swaps ..data atomically.
  void publish(const std::string& version, bool breakKey = false) { publishFrom(pki_, version, breakKey); }
  void publishFrom(const DevPki& pki, const std::string& version, bool breakKey = false) {
    fs::create_directories(secret_ + "/" + version);
    fs::copy_file(pki.certPath, secret_ + "/" + version + "/tls.crt");
    if (breakKey)
      writeFile(secret_ + "/" + version + "/tls.key", "-----BEGIN PRIVATE KEY-----\nnot a key\n-----END PRIVATE KEY-----\n");
    else
      fs::copy_file(pki.keyPath, secret_ + "/" + version + "/tls.key");
    fs::create_symlink(version, secret_ + "/..data_tmp");
    fs::rename(secret_ + "/..data_tmp", secret_ + "/..data");
  }
  void startOnSecret() {
    webhook_ = std::make_unique<WebhookProcess>(std::vector<std::string>{
        "--tls-cert", secret_ + "/tls.crt", "--tls-key", secret_ + "/tls.key", "--cert-poll-interval", "100ms",
        "--ledger-dir", dir_.file("ledger")});
    ASSERT_TRUE(webhook_->started());
  }
  std::string secret_;
};

TEST_F(CertificateRotation, ANewPairIsServedToNewConnectionsWhileOpenOnesKeepWorking) {
  startOnSecret();
  auto before = connectTls();
  ASSERT_NE(before, nullptr);
  std::string oldSerial = before->peerCertificateSerial();
  EXPECT_EQ(oldSerial, serialOf(pki_.certPath));

  reissueServingCert(pki_);
  std::string newSerial = serialOf(pki_.certPath);
  ASSERT_NE(newSerial, oldSerial);
  publish("..2026_11_27_v2");
  ASSERT_TRUE(webhook_->waitForOutput("certificate reloaded")) << webhook_->output();

  EXPECT_EQ(connectTls()->peerCertificateSerial(), newSerial);
  auto reply = before->request("POST", "/validate", admissionFixture("gpu-pod-create.json"));
  ASSERT_TRUE(reply) << "the open connection was dropped by the reload";
  EXPECT_EQ(reply->status, 200);
  EXPECT_NE(metrics().find("migwarden_tls_cert_reloads_total 1"), std::string::npos);
}

TEST_F(CertificateRotation, ABrokenNewPairIsRefusedAndTheOldOneKeepsServing) {
  startOnSecret();
  std::string oldSerial = serialOf(pki_.certPath);
  reissueServingCert(pki_);
  publish("..2026_11_27_v2", /*breakKey=*/true);
  ASSERT_TRUE(webhook_->waitForOutput("certificate reload refused")) << webhook_->output();

  auto client = connectTls();
  ASSERT_NE(client, nullptr);
  EXPECT_EQ(client->peerCertificateSerial(), oldSerial);
  EXPECT_NE(metrics().find("migwarden_tls_cert_reload_failures_total 1"), std::string::npos) << metrics();
}

// CA rotation (docs/operations.md): the webhook configurations' caBundle first carries
// the old and the new CA, then the serving pair from the new CA is published, and only
// then is the old CA dropped from the bundle. An apiserver holding the two-CA bundle
// verifies the webhook before and after the swap; one with only the old CA would not.
TEST_F(CertificateRotation, AClientTrustingTheOldAndNewCaVerifiesTheServerBeforeAndAfterACaChange) {
  startOnSecret();
  DevPki next = makeDevPki(dir_.file("pki-next"));
  ASSERT_NE(next.caPem(), pki_.caPem());
  TlsOptions overlap;
  overlap.caPem = pki_.caPem() + next.caPem();
  TlsOptions oldOnly;
  oldOnly.caPem = pki_.caPem();
  std::string error;

  auto before = HttpClient::connectTls(webhook_->tlsPort(), overlap, &error);
  ASSERT_NE(before, nullptr) << error;
  EXPECT_EQ(before->peerCertificateSerial(), serialOf(pki_.certPath));

  publishFrom(next, "..2026_11_27_v2");
  ASSERT_TRUE(webhook_->waitForOutput("certificate reloaded")) << webhook_->output();

  auto after = HttpClient::connectTls(webhook_->tlsPort(), overlap, &error);
  ASSERT_NE(after, nullptr) << error;
  EXPECT_EQ(after->peerCertificateSerial(), serialOf(next.certPath));
  auto reply = after->request("POST", "/validate", admissionFixture("gpu-pod-create.json"));
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(HttpClient::connectTls(webhook_->tlsPort(), oldOnly, &error), nullptr)
      << "a bundle without the new CA must not verify the new serving certificate";
}

}  // namespace
}  // namespace migwarden::testing
