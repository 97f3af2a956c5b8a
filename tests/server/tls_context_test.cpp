#include "webhook/server/tls_context.h"

#include <gtest/gtest.h>
#include <openssl/ssl.h>

#include "tests/support/test_certs.h"

namespace migwarden::server {
namespace {

using testing::makeSelfSigned;
using testing::makeTestPki;

TEST(TlsContext, BuildsFromAMatchingPairAndReportsNotAfter) {
  auto pki = makeTestPki({"localhost"}, {"127.0.0.1"});
  auto bundle = buildTlsContext({pki.certPem, pki.keyPem, ""});
  ASSERT_TRUE(bundle.ok()) << bundle.status().toString();
  EXPECT_NE(bundle->context, nullptr);
  EXPECT_GT(bundle->notAfterUnixSeconds, 0);
  EXPECT_NE(bundle->subject.find("localhost"), std::string::npos);
}

TEST(TlsContext, AllowsOnlyTls12AndNewer) {
  auto pki = makeTestPki({"localhost"}, {});
  auto bundle = buildTlsContext({pki.certPem, pki.keyPem, ""});
  ASSERT_TRUE(bundle.ok());
  EXPECT_EQ(SSL_CTX_get_min_proto_version(bundle->context->native_handle()), TLS1_2_VERSION);
  EXPECT_NE(SSL_CTX_get_options(bundle->context->native_handle()) & SSL_OP_NO_RENEGOTIATION, 0u);
  EXPECT_NE(SSL_CTX_get_options(bundle->context->native_handle()) & SSL_OP_NO_COMPRESSION, 0u);
}

TEST(TlsContext, RejectsAKeyThatDoesNotMatchTheCertificate) {
  auto pki = makeTestPki({"localhost"}, {});
  auto other = makeSelfSigned("other");
  auto bundle = buildTlsContext({pki.certPem, other.keyPem, ""});
  ASSERT_FALSE(bundle.ok());
  EXPECT_NE(bundle.status().message().find("does not match"), std::string::npos) << bundle.status().message();
}

TEST(TlsContext, RejectsGarbageCertificateAndKey) {
  auto pki = makeTestPki({"localhost"}, {});
  auto badCert = buildTlsContext({"not a certificate", pki.keyPem, ""});
  ASSERT_FALSE(badCert.ok());
  EXPECT_NE(badCert.status().message().find("certificate"), std::string::npos);
  auto badKey = buildTlsContext({pki.certPem, "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n", ""});
  ASSERT_FALSE(badKey.ok());
  EXPECT_NE(badKey.status().message().find("private key"), std::string::npos);
}

TEST(TlsContext, ClientCaTurnsOnPeerVerification) {
  auto pki = makeTestPki({"localhost"}, {});
  auto bundle = buildTlsContext({pki.certPem, pki.keyPem, pki.caPem});
  ASSERT_TRUE(bundle.ok()) << bundle.status().toString();
  int mode = SSL_CTX_get_verify_mode(bundle->context->native_handle());
  EXPECT_NE(mode & SSL_VERIFY_PEER, 0);
  EXPECT_NE(mode & SSL_VERIFY_FAIL_IF_NO_PEER_CERT, 0);
}

TEST(TlsContext, UnreadableFilesNameTheFlag) {
  auto m = readTlsMaterial({"/nonexistent/cert.pem", "/nonexistent/key.pem", ""});
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("--tls-cert /nonexistent/cert.pem"), std::string::npos);
}

}  // namespace
}  // namespace migwarden::server
