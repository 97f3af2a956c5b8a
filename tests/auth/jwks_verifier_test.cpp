// JWKS verification: RS256 and ES256 keys selected by kid, algorithm confusion, rotation.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdio>
#include <thread>
#include <vector>

#include "tests/auth/token_fixtures.h"
#include "tests/support/temp_dir.h"
#include "webhook/auth/jwks_verifier.h"

namespace migwarden::auth {
namespace {

using namespace std::chrono_literals;
using testing::jwksJson;
using testing::otherRsaKey;
using testing::p256Key;
using testing::rsaKey;
using testing::serviceAccountClaims;
using testing::signToken;

class JwksVerifierTest : public ::testing::Test {
 protected:
  void SetUp() override { writeJwks(jwksJson({{&rsaKey(), "rsa-1"}, {&p256Key(), "ec-1"}})); }

  // Replaced atomically (new inode), as a kubelet-updated ConfigMap volume would be.
  void writeJwks(const std::string& json) {
    const std::string tmp = dir_.file("jwks.json.tmp");
    migwarden::testing::writeFile(tmp, json);
    ASSERT_EQ(std::rename(tmp.c_str(), path().c_str()), 0);
  }
  std::string path() const { return dir_.file("jwks.json"); }

  std::unique_ptr<JwksTokenVerifier> open(ClaimPolicy policy = {}) {
    auto v = JwksTokenVerifier::open(path(), std::move(policy), clock_);
    EXPECT_TRUE(v.ok()) << v.status().toString();
    return std::move(*v);
  }
  std::string rsaToken(std::string_view node = "gpu-a", std::string_view kid = "rsa-1") {
    return signToken("RS256", rsaKey().privatePem, serviceAccountClaims(clock_, node), kid);
  }

  migwarden::testing::TempDir dir_;
  FakeClock clock_;
};

void expectUnauthenticated(const Result<AgentIdentity>& r, std::string_view messagePart) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated) << r.status().toString();
  EXPECT_NE(r.status().message().find(messagePart), std::string::npos) << r.status().message();
}

TEST_F(JwksVerifierTest, AcceptsAnRs256ServiceAccountTokenSelectedByKid) {
  auto r = open()->verify(rsaToken(), "gpu-a");
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->node, "gpu-a");
  EXPECT_EQ(r->subject, "system:serviceaccount:gpu-system:migwarden-agent");
  EXPECT_EQ(r->issuer, "https://kubernetes.default.svc.cluster.local");
}

TEST_F(JwksVerifierTest, AcceptsAnEs256TokenSelectedByKid) {
  const std::string t = signToken("ES256", p256Key().privatePem, serviceAccountClaims(clock_, "gpu-a"), "ec-1");
  auto r = open()->verify(t, "gpu-a");
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->node, "gpu-a");
}

TEST_F(JwksVerifierTest, ChecksTheIssuerWhenConfigured) {
  ClaimPolicy policy;
  policy.issuer = "https://oidc.eks.example/id/ABC";
  expectUnauthenticated(open(policy)->verify(rsaToken(), "gpu-a"), "issuer");
}

TEST_F(JwksVerifierTest, ServiceAccountTokenForAnotherNodeIsForbidden) {
  auto r = open()->verify(rsaToken("gpu-b"), "gpu-a");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(httpStatusOf(r.status()), 403);
}

TEST_F(JwksVerifierTest, DevSubjectIsNotANodeClaimForJwksTokens) {
  auto claims = serviceAccountClaims(clock_, "gpu-a");
  claims.erase("kubernetes.io");
  claims["sub"] = "node:gpu-a";
  expectUnauthenticated(open()->verify(signToken("RS256", rsaKey().privatePem, claims, "rsa-1"), "gpu-a"),
                        "kubernetes.io.node.name");
}

TEST_F(JwksVerifierTest, RejectsAMalformedKubernetesClaim) {
  auto claims = serviceAccountClaims(clock_, "gpu-a");
  claims["kubernetes.io"]["node"] = "gpu-a";
  expectUnauthenticated(open()->verify(signToken("RS256", rsaKey().privatePem, claims, "rsa-1"), "gpu-a"),
                        "kubernetes.io.node");
}

TEST_F(JwksVerifierTest, RejectsATokenSignedByAKeyNotInTheSetUnderAKnownKid) {
  const std::string t = signToken("RS256", otherRsaKey().privatePem, serviceAccountClaims(clock_, "gpu-a"), "rsa-1");
  expectUnauthenticated(open()->verify(t, "gpu-a"), "signature is invalid");
}

TEST_F(JwksVerifierTest, RejectsTamperedRs256AndEs256Tokens) {
  auto v = open();
  const std::string es = signToken("ES256", p256Key().privatePem, serviceAccountClaims(clock_, "gpu-b"), "ec-1");
  for (const std::string& t : {rsaToken("gpu-b"), es}) {
    expectUnauthenticated(v->verify(testing::withPayload(t, serviceAccountClaims(clock_, "gpu-a")), "gpu-a"),
                          "signature is invalid");
    expectUnauthenticated(v->verify(testing::withFlippedSignatureBit(t), "gpu-b"), "signature is invalid");
  }
}

TEST_F(JwksVerifierTest, RejectsHs256SignedWithTheRsaPublicKey) {
  // The algorithm-confusion attack: the attacker knows the public key and uses its PEM
  // (and, in another variant, its JWK text) as an HMAC secret.
  auto v = open();
  const auto claims = serviceAccountClaims(clock_, "gpu-a");
  for (const std::string& secret : {rsaKey().publicPem, testing::jwkWithKid(rsaKey(), "rsa-1").dump()}) {
    const std::string t = testing::hmacToken({{"alg", "HS256"}, {"kid", "rsa-1"}}, claims, secret);
    expectUnauthenticated(v->verify(t, "gpu-a"), "does not match key");
  }
}

TEST_F(JwksVerifierTest, RejectsAnEs256TokenPresentedUnderAnRsaKid) {
  const std::string t = signToken("ES256", p256Key().privatePem, serviceAccountClaims(clock_, "gpu-a"), "rsa-1");
  expectUnauthenticated(open()->verify(t, "gpu-a"), "which is for RS256");
}

TEST_F(JwksVerifierTest, RejectsAlgNone) {
  const std::string t = testing::rawToken({{"alg", "none"}, {"kid", "rsa-1"}}, serviceAccountClaims(clock_, "gpu-a"), "");
  expectUnauthenticated(open()->verify(t, "gpu-a"), "alg \"none\"");
}

TEST_F(JwksVerifierTest, RejectsAnUnknownKid) {
  expectUnauthenticated(open()->verify(rsaToken("gpu-a", "rsa-9"), "gpu-a"), "kid \"rsa-9\" matches no key");
}

TEST_F(JwksVerifierTest, RejectsATokenWithoutKid) {
  const std::string t = signToken("RS256", rsaKey().privatePem, serviceAccountClaims(clock_, "gpu-a"));
  expectUnauthenticated(open()->verify(t, "gpu-a"), "no kid");
}

TEST_F(JwksVerifierTest, RejectsAnExpiredServiceAccountToken) {
  const std::string t = rsaToken();
  clock_.advance(2h);
  expectUnauthenticated(open()->verify(t, "gpu-a"), "expired");
}

TEST_F(JwksVerifierTest, PicksUpANewSigningKeyAsSoonAsATokenNamesIt) {
  auto v = open();
  const std::string t = signToken("RS256", otherRsaKey().privatePem, serviceAccountClaims(clock_, "gpu-a"), "rsa-2");
  expectUnauthenticated(v->verify(t, "gpu-a"), "matches no key");

  writeJwks(jwksJson({{&rsaKey(), "rsa-1"}, {&otherRsaKey(), "rsa-2"}}));
  auto r = v->verify(t, "gpu-a");
  EXPECT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(v->keyCount(), 2u);
}

TEST_F(JwksVerifierTest, StopsTrustingARemovedKeyAfterTheRecheckInterval) {
  auto v = open();
  const std::string t = rsaToken();
  ASSERT_TRUE(v->verify(t, "gpu-a").ok());

  writeJwks(jwksJson({{&p256Key(), "ec-1"}}));
  clock_.advance(2s);
  expectUnauthenticated(v->verify(t, "gpu-a"), "matches no key");
}

TEST_F(JwksVerifierTest, KeepsThePreviousKeysWhenTheNewFileIsBroken) {
  auto v = open();
  writeJwks(R"({"keys": [ {"kty": "RSA", "kid": "rsa-1"} ]})");
  const Status reload = v->reloadIfChanged();
  EXPECT_EQ(reload.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(reload.message().find("keys[0].n"), std::string::npos) << reload.message();
  EXPECT_FALSE(v->lastReloadStatus().ok());
  EXPECT_TRUE(v->verify(rsaToken(), "gpu-a").ok());

  writeJwks(jwksJson({{&rsaKey(), "rsa-1"}}));
  EXPECT_TRUE(v->reloadIfChanged().ok());
  EXPECT_TRUE(v->lastReloadStatus().ok());
}

TEST_F(JwksVerifierTest, VerifiesConcurrentlyWhileTheKeySetIsReplaced) {
  auto v = open();
  const std::string t = rsaToken();
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i)
    threads.emplace_back([&] {
      for (int n = 0; n < 200; ++n)
        if (!v->verify(t, "gpu-a").ok()) ++failures;
    });
  // Every set written keeps rsa-1, so no verification may fail while keys are swapped.
  for (int n = 0; n < 20; ++n) {
    writeJwks(n % 2 ? jwksJson({{&rsaKey(), "rsa-1"}}) : jwksJson({{&rsaKey(), "rsa-1"}, {&p256Key(), "ec-1"}}));
    EXPECT_TRUE(v->reloadIfChanged().ok());
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(JwksVerifierTest, OpeningFailsOnAMissingOrUnusableFile) {
  auto missing = JwksTokenVerifier::open(dir_.file("absent.json"), {}, clock_);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("absent.json"), std::string::npos);

  writeJwks(R"({"keys": []})");
  auto empty = JwksTokenVerifier::open(path(), {}, clock_);
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("no usable"), std::string::npos) << empty.status().message();
}

}  // namespace
}  // namespace migwarden::auth
