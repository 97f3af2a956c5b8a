// The module's front door: Authorization header parsing and the flag-driven factory.
#include <gtest/gtest.h>

#include "tests/auth/token_fixtures.h"
#include "tests/support/temp_dir.h"
#include "webhook/auth/token_verifier.h"

namespace migwarden::auth {
namespace {

using namespace std::chrono_literals;

TEST(BearerHeader, ExtractsTheTokenCaseInsensitively) {
  EXPECT_EQ(*bearerTokenFromHeader("Bearer abc.def.ghi"), "abc.def.ghi");
  EXPECT_EQ(*bearerTokenFromHeader("bearer   abc.def.ghi "), "abc.def.ghi");
}

TEST(BearerHeader, RejectsMissingOtherSchemesAndOversizedHeaders) {
  for (const std::string& header : {std::string(), std::string("Basic dXNlcjpwYXNz"), std::string("Bearer "),
                                    std::string("Bearerabc"), "Bearer " + std::string(kMaxTokenBytes + 1, 'a')}) {
    auto r = bearerTokenFromHeader(header);
    ASSERT_FALSE(r.ok()) << header.substr(0, 20);
    EXPECT_EQ(r.status().code(), StatusCode::kUnauthenticated);
  }
}

TEST(MakeTokenVerifier, NeedsExactlyOneKeySource) {
  FakeClock clock;
  EXPECT_EQ(makeTokenVerifier({}, clock).status().code(), StatusCode::kInvalidArgument);
  AgentAuthConfig both{.hs256KeyFile = "a", .jwksFile = "b"};
  EXPECT_EQ(makeTokenVerifier(both, clock).status().code(), StatusCode::kInvalidArgument);
}

TEST(MakeTokenVerifier, BuildsAnHs256VerifierFromATrimmedKeyFile) {
  migwarden::testing::TempDir dir;
  migwarden::testing::writeFile(dir.file("key"), std::string(testing::kHs256Key) + "\n");
  FakeClock clock;
  AgentAuthConfig config{.hs256KeyFile = dir.file("key"), .issuer = "dev"};
  auto verifier = makeTokenVerifier(config, clock);
  ASSERT_TRUE(verifier.ok()) << verifier.status().toString();
  auto claims = testing::devClaims(clock, "gpu-a");
  EXPECT_FALSE((*verifier)->verify(testing::signToken("HS256", testing::kHs256Key, claims), "gpu-a").ok());
  claims["iss"] = "dev";
  EXPECT_TRUE((*verifier)->verify(testing::signToken("HS256", testing::kHs256Key, claims), "gpu-a").ok());
}

TEST(MakeTokenVerifier, RefusesAShortKeyFileNamingTheFlag) {
  migwarden::testing::TempDir dir;
  migwarden::testing::writeFile(dir.file("key"), "  too-short  \n");
  FakeClock clock;
  auto verifier = makeTokenVerifier({.hs256KeyFile = dir.file("key")}, clock);
  ASSERT_FALSE(verifier.ok());
  EXPECT_NE(verifier.status().message().find("--agent-hs256-key"), std::string::npos);
  EXPECT_NE(verifier.status().message().find("9 bytes"), std::string::npos) << verifier.status().message();
}

TEST(MakeTokenVerifier, BuildsAJwksVerifierWithTheConfiguredAudience) {
  migwarden::testing::TempDir dir;
  migwarden::testing::writeFile(dir.file("jwks.json"), testing::jwksJson({{&testing::p256Key(), "ec-1"}}));
  FakeClock clock;
  auto verifier = makeTokenVerifier({.jwksFile = dir.file("jwks.json"), .audience = "gpu-ledger"}, clock);
  ASSERT_TRUE(verifier.ok()) << verifier.status().toString();
  auto claims = testing::serviceAccountClaims(clock, "gpu-a");
  const auto sign = [&] { return testing::signToken("ES256", testing::p256Key().privatePem, claims, "ec-1"); };
  EXPECT_EQ((*verifier)->verify(sign(), "gpu-a").status().code(), StatusCode::kUnauthenticated);
  claims["aud"] = {"gpu-ledger"};
  EXPECT_TRUE((*verifier)->verify(sign(), "gpu-a").ok());
}

}  // namespace
}  // namespace migwarden::auth
