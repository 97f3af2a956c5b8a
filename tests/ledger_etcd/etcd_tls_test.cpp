// The etcd backend over TLS with a client certificate (--etcd-cacert/--etcd-cert/
// --etcd-key), against an etcd that requires one.
#include <gtest/gtest.h>

#include "tests/ledger/ledger_test_util.h"
#include "tests/support/etcd/etcd_process.h"
#include "tests/support/test_certs.h"
#include "webhook/ledger/etcd/etcd_store.h"

namespace migwarden::ledger::etcd {
namespace {

using migwarden::testing::EtcdProcess;
using migwarden::testing::TempDir;
using migwarden::testing::writeFile;

class EtcdTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    MIGWARDEN_REQUIRE_ETCD();
    // etcd's JSON gateway calls etcd's own gRPC server presenting the serving certificate
    // as a client certificate: with --client-cert-auth it needs clientAuth too.
    pki_ = migwarden::testing::makeTestPki({"localhost"}, {"127.0.0.1"}, /*clientCert=*/true);
    auto client = migwarden::testing::issueClientCert(pki_, "migwarden-webhook");
    writeFile(dir_.file("ca.pem"), pki_.caPem);
    writeFile(dir_.file("server.pem"), pki_.certPem);
    writeFile(dir_.file("server-key.pem"), pki_.keyPem);
    writeFile(dir_.file("client.pem"), client.certPem);
    writeFile(dir_.file("client-key.pem"), client.keyPem);
    etcd_ = std::make_unique<EtcdProcess>(
        migwarden::testing::EtcdTlsFiles{dir_.file("ca.pem"), dir_.file("server.pem"), dir_.file("server-key.pem")});
    ASSERT_TRUE(etcd_->running());
  }

  EtcdStoreOptions options() {
    EtcdStoreOptions o;
    o.client.endpoints = parseEndpoints(etcd_->endpoint()).value();
    o.client.caFile = dir_.file("ca.pem");
    o.client.certFile = dir_.file("client.pem");
    o.client.keyFile = dir_.file("client-key.pem");
    o.clock = &clock_;
    o.initialSyncTimeout = std::chrono::seconds(10);
    return o;
  }

  TempDir dir_;
  migwarden::testing::TestPki pki_;
  FakeClock clock_;
  std::unique_ptr<EtcdProcess> etcd_;
};

TEST_F(EtcdTlsTest, AClientCertificateSignedByTheCaConnectsAndReserves) {
  auto store = EtcdStore::open(options());
  ASSERT_TRUE(store.ok()) << store.status().toString();
  ASSERT_TRUE((*store)->health().ok()) << (*store)->health().toString() << "\n" << etcd_->output();
  ASSERT_TRUE((*store)->applyNodeReport(testutil::a100Node("n1", 1, 7)).ok());
  EXPECT_TRUE((*store)->reserve(testutil::reserveRequest("pod-a", "n1", 2)).ok());
}

TEST_F(EtcdTlsTest, WithoutAClientCertificateTheStoreStaysUnreadyAndSaysWhy) {
  auto o = options();
  o.client.certFile.clear();
  o.client.keyFile.clear();
  o.initialSyncTimeout = std::chrono::seconds(3);
  auto store = EtcdStore::open(o);
  ASSERT_TRUE(store.ok()) << store.status().toString();
  EXPECT_FALSE((*store)->health().ok());
  EXPECT_NE((*store)->health().message().find("ledger backend etcd unavailable"), std::string::npos)
      << (*store)->health().message();
}

TEST_F(EtcdTlsTest, AnUntrustedServerCertificateIsRefused) {
  auto o = options();
  auto other = migwarden::testing::makeTestPki({"localhost"}, {"127.0.0.1"});
  writeFile(dir_.file("other-ca.pem"), other.caPem);
  o.client.caFile = dir_.file("other-ca.pem");
  o.initialSyncTimeout = std::chrono::seconds(3);
  auto store = EtcdStore::open(o);
  ASSERT_TRUE(store.ok());
  EXPECT_FALSE((*store)->health().ok());
  EXPECT_NE((*store)->health().message().find("TLS handshake"), std::string::npos) << (*store)->health().message();
}

TEST_F(EtcdTlsTest, MissingTlsFilesAreAnErrorNamingTheFlag) {
  auto o = options();
  o.client.keyFile = dir_.file("missing.pem");
  auto store = EtcdStore::open(o);
  ASSERT_FALSE(store.ok());
  EXPECT_NE(store.status().message().find("--etcd-key"), std::string::npos) << store.status().message();
}

}  // namespace
}  // namespace migwarden::ledger::etcd
