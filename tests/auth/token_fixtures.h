// Test keys and tokens for the auth suite: RSA and P-256 keys generated with OpenSSL,
// their JWKs, tokens signed by cpp-jwt (an implementation independent of the verifier),
// and hand-built tokens for the attacks (alg none, algorithm confusion, tampering).
#pragma once

#include <nlohmann/json.hpp>

#include <memory>
#include <string>
#include <string_view>

#include "webhook/common/clock.h"

namespace migwarden::auth::testing {

inline constexpr std::string_view kHs256Key = "test-hs256-key-0123456789abcdefghij";  // 35 bytes

struct KeyPair {
  std::string privatePem;
  std::string publicPem;
  nlohmann::json jwk;  // public JWK without kid
};

// Generated once per test process (RSA generation is slow).
const KeyPair& rsaKey();
const KeyPair& otherRsaKey();
const KeyPair& p256Key();
KeyPair generateRsa(int bits);
KeyPair generateP256();

nlohmann::json jwkWithKid(const KeyPair& key, std::string_view kid);
// {"keys": [...]} from (key, kid) pairs.
std::string jwksJson(std::initializer_list<std::pair<const KeyPair*, std::string_view>> keys);

// Claims of a projected ServiceAccount token for `node`, valid around clock.now().
nlohmann::json serviceAccountClaims(const Clock& clock, std::string_view node);
// Claims of a dev token (sub = node:<node>).
nlohmann::json devClaims(const Clock& clock, std::string_view node);

// Signed with cpp-jwt. `alg` is HS256 (key = secret), RS256 or ES256 (key = private PEM).
std::string signToken(std::string_view alg, std::string_view key, const nlohmann::json& claims,
                      std::string_view kid = {});

// header.payload.signature from raw JSON and raw signature bytes (base64url applied here).
std::string rawToken(const nlohmann::json& header, const nlohmann::json& claims, std::string_view signature);
// An HS256 token whose header and MAC we control completely.
std::string hmacToken(const nlohmann::json& header, const nlohmann::json& claims, std::string_view secret);

// Replaces the payload segment of a token with base64url(claims), keeping the signature.
std::string withPayload(std::string_view token, const nlohmann::json& claims);
// Flips one bit of the decoded signature.
std::string withFlippedSignatureBit(std::string_view token);

}  // namespace migwarden::auth::testing
