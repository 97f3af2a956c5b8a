// JWKS parsing: what is accepted, skipped, and refused (with the offending path).
#include <gtest/gtest.h>

#include "tests/auth/token_fixtures.h"
#include "webhook/auth/jwks.h"
#include "webhook/common/crypto.h"

namespace migwarden::auth {
namespace {

using testing::jwkWithKid;
using testing::p256Key;
using testing::rsaKey;

std::string setOf(std::initializer_list<nlohmann::json> keys) {
  return nlohmann::json{{"keys", nlohmann::json::array_t(keys)}}.dump();
}

void expectInvalid(const std::string& jwks, std::string_view messagePart) {
  auto r = parseJwks(jwks);
  ASSERT_FALSE(r.ok()) << jwks;
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().message().find(messagePart), std::string::npos) << r.status().message();
}

TEST(Jwks, IndexesRsaAndP256KeysByKid) {
  auto r = parseJwks(setOf({jwkWithKid(rsaKey(), "a"), jwkWithKid(p256Key(), "b")}));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->byKid.at("a").algorithm(), JwsAlgorithm::kRS256);
  EXPECT_EQ(r->byKid.at("b").algorithm(), JwsAlgorithm::kES256);
  EXPECT_TRUE(r->skipped.empty());
}

TEST(Jwks, AcceptsKeysWithoutAlgAndUseAsKubernetesPublishesThem) {
  auto rsa = jwkWithKid(rsaKey(), "a");
  rsa.erase("alg");
  rsa.erase("use");
  auto r = parseJwks(setOf({rsa}));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->byKid.size(), 1u);
}

TEST(Jwks, SkipsKeysForOtherAlgorithmsAndUses) {
  auto rs512 = jwkWithKid(rsaKey(), "rs512");
  rs512["alg"] = "RS512";
  auto enc = jwkWithKid(rsaKey(), "enc");
  enc["use"] = "enc";
  nlohmann::json okp = {{"kty", "OKP"}, {"crv", "Ed25519"}, {"kid", "ed"}, {"x", "AAAA"}};
  auto r = parseJwks(setOf({rs512, enc, okp, jwkWithKid(p256Key(), "ec")}));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->byKid.size(), 1u);
  EXPECT_EQ(r->skipped.size(), 3u);
}

TEST(Jwks, RefusesMalformedSupportedKeysNamingThePath) {
  auto noN = jwkWithKid(rsaKey(), "a");
  noN.erase("n");
  expectInvalid(setOf({jwkWithKid(p256Key(), "ok"), noN}), "keys[1].n");

  auto badX = jwkWithKid(p256Key(), "b");
  badX["x"] = "not base64!";
  expectInvalid(setOf({badX}), "keys[0].x");

  auto shortX = jwkWithKid(p256Key(), "c");
  shortX["x"] = crypto::base64UrlEncode(std::string(31, '\1'));
  expectInvalid(setOf({shortX}), "32 bytes");

  auto noKid = rsaKey().jwk;
  expectInvalid(setOf({noKid}), "keys[0].kid");
}

TEST(Jwks, RefusesAPointNotOnTheCurve) {
  auto offCurve = jwkWithKid(p256Key(), "ec");
  offCurve["y"] = crypto::base64UrlEncode(std::string(32, '\x5a'));
  expectInvalid(setOf({offCurve}), "keys[0]");
}

TEST(Jwks, RefusesWeakRsaKeys) {
  const auto weak = testing::generateRsa(1024);
  expectInvalid(setOf({jwkWithKid(weak, "weak")}), "at least 2048");
}

TEST(Jwks, RefusesDuplicateKids) {
  expectInvalid(setOf({jwkWithKid(rsaKey(), "a"), jwkWithKid(p256Key(), "a")}), "duplicate kid");
}

TEST(Jwks, RefusesDocumentsThatAreNotKeySets) {
  expectInvalid("not json", "");
  expectInvalid("[]", "");
  expectInvalid("{}", "keys");
  expectInvalid(R"({"keys": {}})", "keys");
  expectInvalid(R"({"keys": [1]})", "keys[0]");
  expectInvalid(R"({"keys": []})", "no usable");
}

}  // namespace
}  // namespace migwarden::auth
