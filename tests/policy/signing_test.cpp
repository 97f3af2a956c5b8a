// Signed artifacts: --sign at compile time, --policy-pubkey at load time.
#include <gtest/gtest.h>
#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "tests/policy/policy_test_util.h"

namespace migwarden::policy {
namespace {

struct KeyPair {
  std::string privatePem, publicPem;
};

std::string bioText(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(len));
}

KeyPair generate(bool ed25519) {
  EVP_PKEY* key = ed25519 ? EVP_PKEY_Q_keygen(nullptr, nullptr, "ED25519")
                          : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256");
  BIO* priv = BIO_new(BIO_s_mem());
  BIO* pub = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  PEM_write_bio_PUBKEY(pub, key);
  KeyPair kp{bioText(priv), bioText(pub)};
  BIO_free(priv);
  BIO_free(pub);
  EVP_PKEY_free(key);
  return kp;
}

std::shared_ptr<const Policy> tiny() {
  auto r = testing::compileText(testing::minimalSource());
  return r.policy;
}

class SignedArtifact : public ::testing::TestWithParam<bool> {};

TEST_P(SignedArtifact, LoadsWithTheMatchingPublicKey) {
  KeyPair kp = generate(GetParam());
  auto p = tiny();
  ASSERT_TRUE(p);
  auto sig = signDigest(p->digest(), kp.privatePem);
  ASSERT_TRUE(sig.ok()) << sig.status().toString();
  EXPECT_EQ(sig->algorithm, GetParam() ? "ed25519" : "ecdsa-p256-sha256");
  auto loaded = loadArtifact(buildArtifact(*p, &*sig), "signed.json", {kp.publicPem});
  ASSERT_TRUE(loaded.ok()) << loaded.status().toString();
  EXPECT_EQ((*loaded)->digest(), p->digest());
}

TEST_P(SignedArtifact, WrongKeyIsRefused) {
  KeyPair signer = generate(GetParam());
  KeyPair other = generate(GetParam());
  auto p = tiny();
  ASSERT_TRUE(p);
  auto sig = signDigest(p->digest(), signer.privatePem);
  ASSERT_TRUE(sig.ok());
  auto loaded = loadArtifact(buildArtifact(*p, &*sig), "signed.json", {other.publicPem});
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(loaded.status().message().find("does not verify"), std::string::npos) << loaded.status().message();
}

INSTANTIATE_TEST_SUITE_P(Ed25519AndP256, SignedArtifact, ::testing::Values(true, false));

TEST(SignedArtifact, UnsignedArtifactIsRefusedWhenAKeyIsRequired) {
  KeyPair kp = generate(true);
  auto p = tiny();
  ASSERT_TRUE(p);
  auto loaded = loadArtifact(buildArtifact(*p), "plain.json", {kp.publicPem});
  ASSERT_FALSE(loaded.ok());
  EXPECT_NE(loaded.status().message().find("unsigned"), std::string::npos);
  EXPECT_TRUE(loadArtifact(buildArtifact(*p)).ok());  // no key configured: accepted
}

TEST(SignedArtifact, SignatureFromAnotherPolicyIsRefused) {
  KeyPair kp = generate(true);
  auto a = tiny();
  auto b = testing::builtin();
  ASSERT_TRUE(a && b);
  auto sigOfB = signDigest(b->digest(), kp.privatePem);
  ASSERT_TRUE(sigOfB.ok());
  auto loaded = loadArtifact(buildArtifact(*a, &*sigOfB), "swapped.json", {kp.publicPem});
  EXPECT_FALSE(loaded.ok());
}

TEST(SignedArtifact, RsaKeysAreNotAccepted) {
  EVP_PKEY* key = EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048));
  BIO* priv = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(priv, key, nullptr, nullptr, 0, nullptr, nullptr);
  auto sig = signDigest("sha256:00", bioText(priv));
  BIO_free(priv);
  EVP_PKEY_free(key);
  ASSERT_FALSE(sig.ok());
  EXPECT_NE(sig.status().message().find("Ed25519 or ECDSA P-256"), std::string::npos);
}

}  // namespace
}  // namespace migwarden::policy
