// Dev tokens: what mintDevToken produces is exactly what the HS256 verifier accepts.
#include <gtest/gtest.h>

#include "tests/auth/token_fixtures.h"
#include "webhook/auth/dev_token.h"
#include "webhook/auth/hs256_verifier.h"
#include "webhook/common/crypto.h"

namespace migwarden::auth {
namespace {

using namespace std::chrono_literals;
using testing::kHs256Key;

nlohmann::json payloadOf(const std::string& token) {
  const size_t dot1 = token.find('.');
  const size_t dot2 = token.find('.', dot1 + 1);
  return nlohmann::json::parse(*crypto::base64UrlDecode(token.substr(dot1 + 1, dot2 - dot1 - 1)));
}

TEST(DevToken, CarriesNodeSubjectAudienceIssuerAndLifetime) {
  FakeClock clock;
  DevTokenRequest request{.node = "gpu-a", .audience = "migwarden", .issuer = "dev", .ttl = 900s};
  auto token = mintDevToken(kHs256Key, request, clock);
  ASSERT_TRUE(token.ok()) << token.status().toString();
  const auto claims = payloadOf(*token);
  const int64_t now = 1'700'000'000;
  EXPECT_EQ(claims["sub"], "node:gpu-a");
  EXPECT_EQ(claims["aud"], "migwarden");
  EXPECT_EQ(claims["iss"], "dev");
  EXPECT_EQ(claims["iat"], now);
  EXPECT_EQ(claims["nbf"], now);
  EXPECT_EQ(claims["exp"], now + 900);
}

TEST(DevToken, IsAcceptedByTheHs256VerifierUntilItExpires) {
  FakeClock clock;
  auto token = mintDevToken(kHs256Key, {.node = "gpu-a", .ttl = 60s}, clock);
  ASSERT_TRUE(token.ok());
  auto verifier = Hs256TokenVerifier::create(std::string(kHs256Key), {}, clock);
  ASSERT_TRUE(verifier.ok());
  EXPECT_TRUE((*verifier)->verify(*token, "gpu-a").ok());
  EXPECT_EQ((*verifier)->verify(*token, "gpu-b").status().code(), StatusCode::kPermissionDenied);
  clock.advance(60s + 31s);
  EXPECT_EQ((*verifier)->verify(*token, "gpu-a").status().code(), StatusCode::kUnauthenticated);
}

TEST(DevToken, OmitsIssWhenNoIssuerIsGiven) {
  FakeClock clock;
  auto token = mintDevToken(kHs256Key, {.node = "gpu-a"}, clock);
  ASSERT_TRUE(token.ok());
  EXPECT_FALSE(payloadOf(*token).contains("iss"));
}

TEST(DevToken, RefusesBadRequests) {
  FakeClock clock;
  EXPECT_EQ(mintDevToken("short", {.node = "gpu-a"}, clock).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(mintDevToken(kHs256Key, {.node = ""}, clock).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(mintDevToken(kHs256Key, {.node = "gpu-a", .ttl = 0s}, clock).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace migwarden::auth
