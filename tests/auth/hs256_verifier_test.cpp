// Dev-token verification with a shared HS256 key: each check of the token contract.
#include <gtest/gtest.h>

#include <cstdint>

#include "tests/auth/token_fixtures.h"
#include "webhook/auth/hs256_verifier.h"
#include "webhook/common/crypto.h"

namespace migwarden::auth {
namespace {

using namespace std::chrono_literals;
using testing::devClaims;
using testing::kHs256Key;
using testing::signToken;

class Hs256VerifierTest : public ::testing::Test {
 protected:
  std::unique_ptr<Hs256TokenVerifier> verifier(ClaimPolicy policy = {}) {
    auto v = Hs256TokenVerifier::create(std::string(kHs256Key), std::move(policy), clock_);
    EXPECT_TRUE(v.ok()) << v.status().toString();
    return std::move(*v);
  }
  std::string token(const nlohmann::json& claims) { return signToken("HS256", kHs256Key, claims); }

  FakeClock clock_;
};

void expectUnauthenticated(const Result<AgentIdentity>& r, std::string_view messagePart) {
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated) << r.status().toString();
  EXPECT_EQ(httpStatusOf(r.status()), 401);
  EXPECT_NE(r.status().message().find(messagePart), std::string::npos) << r.status().message();
}

TEST_F(Hs256VerifierTest, AcceptsAValidDevTokenAndReturnsTheIdentity) {
  auto claims = devClaims(clock_, "gpu-a");
  claims["iss"] = "dev";
  auto r = verifier()->verify(token(claims), "gpu-a");
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->node, "gpu-a");
  EXPECT_EQ(r->subject, "node:gpu-a");
  EXPECT_EQ(r->issuer, "dev");
  EXPECT_EQ(r->expiry, clock_.now() + 3600s);
}

TEST_F(Hs256VerifierTest, RejectsAnExpiredToken) {
  const std::string t = token(devClaims(clock_, "gpu-a"));
  clock_.advance(3600s + 31s);
  expectUnauthenticated(verifier()->verify(t, "gpu-a"), "expired");
}

TEST_F(Hs256VerifierTest, AcceptsATokenJustExpiredWithinTheLeeway) {
  const std::string t = token(devClaims(clock_, "gpu-a"));
  clock_.advance(3600s + 30s);
  EXPECT_TRUE(verifier()->verify(t, "gpu-a").ok());
}

TEST_F(Hs256VerifierTest, LeewayIsConfigurable) {
  const std::string t = token(devClaims(clock_, "gpu-a"));
  clock_.advance(3600s + 5s);
  ClaimPolicy strict;
  strict.leeway = 0s;
  expectUnauthenticated(verifier(strict)->verify(t, "gpu-a"), "expired");
}

TEST_F(Hs256VerifierTest, RejectsATokenWithoutExp) {
  auto claims = devClaims(clock_, "gpu-a");
  claims.erase("exp");
  expectUnauthenticated(verifier()->verify(token(claims), "gpu-a"), "no exp");
}

TEST_F(Hs256VerifierTest, RejectsANonNumericExp) {
  auto claims = devClaims(clock_, "gpu-a");
  claims["exp"] = "tomorrow";
  expectUnauthenticated(verifier()->verify(token(claims), "gpu-a"), "claim exp must be a NumericDate");
}

TEST_F(Hs256VerifierTest, RejectsTimeClaimsOutOfRangeWithoutOverflow) {
  for (const nlohmann::json& huge : {nlohmann::json(INT64_MAX), nlohmann::json(UINT64_MAX), nlohmann::json(1e300)}) {
    auto claims = devClaims(clock_, "gpu-a");
    claims["exp"] = huge;
    expectUnauthenticated(verifier()->verify(token(claims), "gpu-a"), "claim exp is out of range");
    claims = devClaims(clock_, "gpu-a");
    claims["nbf"] = -huge.get<double>();
    expectUnauthenticated(verifier()->verify(token(claims), "gpu-a"), "claim nbf is out of range");
  }
}

TEST_F(Hs256VerifierTest, AcceptsFractionalNumericDates) {
  auto claims = devClaims(clock_, "gpu-a");
  claims["exp"] = claims["exp"].get<double>() + 0.5;
  EXPECT_TRUE(verifier()->verify(token(claims), "gpu-a").ok());
}

TEST_F(Hs256VerifierTest, RejectsATokenThatIsNotValidYet) {
  auto claims = devClaims(clock_, "gpu-a");
  claims["nbf"] = claims["iat"].get<int64_t>() + 120;
  expectUnauthenticated(verifier()->verify(token(claims), "gpu-a"), "not valid yet");
}

TEST_F(Hs256VerifierTest, RejectsATokenIssuedInTheFuture) {
  auto claims = devClaims(clock_, "gpu-a");
  claims.erase("nbf");
  claims["iat"] = claims["iat"].get<int64_t>() + 120;
  expectUnauthenticated(verifier()->verify(token(claims), "gpu-a"), "issued in the future");
}

TEST_F(Hs256VerifierTest, ToleratesSmallClockSkewOnNbf) {
  auto claims = devClaims(clock_, "gpu-a");
  claims["nbf"] = claims["iat"].get<int64_t>() + 20;
  EXPECT_TRUE(verifier()->verify(token(claims), "gpu-a").ok());
}

TEST_F(Hs256VerifierTest, RejectsAWrongAudience) {
  auto claims = devClaims(clock_, "gpu-a");
  claims["aud"] = "kubernetes";
  expectUnauthenticated(verifier()->verify(token(claims), "gpu-a"), "audience");
}

TEST_F(Hs256VerifierTest, AcceptsTheAudienceAnywhereInAnAudArray) {
  auto claims = devClaims(clock_, "gpu-a");
  claims["aud"] = {"vault", "migwarden"};
  EXPECT_TRUE(verifier()->verify(token(claims), "gpu-a").ok());
}

TEST_F(Hs256VerifierTest, RejectsATokenWithoutAudience) {
  auto claims = devClaims(clock_, "gpu-a");
  claims.erase("aud");
  expectUnauthenticated(verifier()->verify(token(claims), "gpu-a"), "no aud");
}

TEST_F(Hs256VerifierTest, RejectsAWrongIssuerWhenOneIsConfigured) {
  ClaimPolicy policy;
  policy.issuer = "https://issuer.example";
  auto claims = devClaims(clock_, "gpu-a");
  claims["iss"] = "https://evil.example";
  expectUnauthenticated(verifier(policy)->verify(token(claims), "gpu-a"), "issuer");
  claims.erase("iss");
  expectUnauthenticated(verifier(policy)->verify(token(claims), "gpu-a"), "no iss");
  claims["iss"] = "https://issuer.example";
  EXPECT_TRUE(verifier(policy)->verify(token(claims), "gpu-a").ok());
}

TEST_F(Hs256VerifierTest, TokenForAnotherNodeIsForbiddenNotUnauthenticated) {
  auto r = verifier()->verify(token(devClaims(clock_, "gpu-b")), "gpu-a");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(failureKindOf(r.status()), AuthFailure::kForbidden);
  EXPECT_EQ(httpStatusOf(r.status()), 403);
  EXPECT_NE(r.status().message().find("\"gpu-b\""), std::string::npos) << r.status().message();
}

TEST_F(Hs256VerifierTest, RejectsATokenNamingNoNode) {
  auto claims = devClaims(clock_, "gpu-a");
  claims["sub"] = "alice";
  expectUnauthenticated(verifier()->verify(token(claims), "gpu-a"), "names no node");
}

TEST_F(Hs256VerifierTest, RejectsATamperedPayload) {
  const std::string t = token(devClaims(clock_, "gpu-b"));
  expectUnauthenticated(verifier()->verify(testing::withPayload(t, devClaims(clock_, "gpu-a")), "gpu-a"),
                        "signature is invalid");
}

TEST_F(Hs256VerifierTest, RejectsATamperedSignature) {
  const std::string t = token(devClaims(clock_, "gpu-a"));
  expectUnauthenticated(verifier()->verify(testing::withFlippedSignatureBit(t), "gpu-a"), "signature is invalid");
}

TEST_F(Hs256VerifierTest, RejectsATokenSignedWithAnotherKey) {
  const std::string t = signToken("HS256", "another-key-of-enough-length-0123456789", devClaims(clock_, "gpu-a"));
  expectUnauthenticated(verifier()->verify(t, "gpu-a"), "signature is invalid");
}

TEST_F(Hs256VerifierTest, RejectsAlgNoneInAnySpelling) {
  for (const char* alg : {"none", "None", "NONE"}) {
    const std::string t = testing::rawToken({{"alg", alg}, {"typ", "JWT"}}, devClaims(clock_, "gpu-a"), "x");
    expectUnauthenticated(verifier()->verify(t, "gpu-a"), "alg \"none\"");
    // The classic form with an empty signature part is rejected too.
    expectUnauthenticated(verifier()->verify(t.substr(0, t.rfind('.') + 1), "gpu-a"), "alg \"none\"");
  }
}

TEST_F(Hs256VerifierTest, RejectsAnotherAlgorithmEvenWithAValidMac) {
  const std::string t = testing::hmacToken({{"alg", "HS512"}}, devClaims(clock_, "gpu-a"), kHs256Key);
  expectUnauthenticated(verifier()->verify(t, "gpu-a"), "alg \"HS512\" is not accepted");
}

TEST_F(Hs256VerifierTest, RejectsCriticalHeaderExtensions) {
  const std::string t =
      testing::hmacToken({{"alg", "HS256"}, {"crit", {"exp"}}, {"exp", 1}}, devClaims(clock_, "gpu-a"), kHs256Key);
  expectUnauthenticated(verifier()->verify(t, "gpu-a"), "crit");
}

TEST_F(Hs256VerifierTest, RejectsAnOversizedTokenBeforeParsing) {
  auto claims = devClaims(clock_, "gpu-a");
  claims["padding"] = std::string(kMaxTokenBytes, 'a');
  expectUnauthenticated(verifier()->verify(token(claims), "gpu-a"), "more than the 8192 allowed");
  // Not even a JWT: the size check comes first.
  expectUnauthenticated(verifier()->verify(std::string(kMaxTokenBytes + 1, '.'), "gpu-a"), "8192");
}

TEST_F(Hs256VerifierTest, RejectsGarbageWithAClearMessage) {
  for (const char* garbage : {"", "abc", "a.b", "a.b.c.d", "!!!.???.***", "e30.e30.", "bm90IGpzb24.e30.c2ln",
                              "eyJhbGciOjF9.e30.c2ln" /* alg is a number */}) {
    auto r = verifier()->verify(garbage, "gpu-a");
    ASSERT_FALSE(r.ok()) << garbage;
    EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated) << garbage;
  }
  // A correctly signed token whose claims are not JSON.
  const std::string input = crypto::base64UrlEncode(R"({"alg":"HS256"})") + "." + crypto::base64UrlEncode("[1,");
  const auto mac = crypto::hmacSha256(kHs256Key, input);
  const std::string t =
      input + "." + crypto::base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
  expectUnauthenticated(verifier()->verify(t, "gpu-a"), "claims are not a JSON object");
}

TEST_F(Hs256VerifierTest, ErrorMessagesNeverContainTheToken) {
  const std::string t = token(devClaims(clock_, "gpu-b"));
  clock_.advance(10h);
  for (const std::string& candidate : {t, testing::withFlippedSignatureBit(t), t.substr(0, t.size() - 3)}) {
    auto r = verifier()->verify(candidate, "gpu-a");
    ASSERT_FALSE(r.ok());
    for (size_t dot = 0, start = 0; start < candidate.size(); start = dot + 1) {
      dot = candidate.find('.', start);
      if (dot == std::string::npos) dot = candidate.size();
      const std::string segment = candidate.substr(start, dot - start);
      if (segment.size() >= 8) {
        EXPECT_EQ(r.status().message().find(segment), std::string::npos);
      }
    }
  }
}

TEST(Hs256Key, ShortKeysAreRefused) {
  FakeClock clock;
  auto v = Hs256TokenVerifier::create("short", {}, clock);
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(v.status().message().find("at least 32"), std::string::npos);
}

}  // namespace
}  // namespace migwarden::auth
