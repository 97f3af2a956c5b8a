#include "tests/auth/token_fixtures.h"

#include <jwt/jwt.hpp>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <chrono>
#include <stdexcept>

#include "webhook/common/crypto.h"

namespace migwarden::auth::testing {
namespace {

using PkeyPtr = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;

std::string pem(EVP_PKEY* key, bool isPrivate) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  const int ok = isPrivate ? PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr)
                           : PEM_write_bio_PUBKEY(bio.get(), key);
  if (ok != 1) throw std::runtime_error("PEM encoding failed");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string bnParam(EVP_PKEY* key, const char* name, int padTo) {
  BIGNUM* bn = nullptr;
  if (EVP_PKEY_get_bn_param(key, name, &bn) != 1) throw std::runtime_error(std::string("missing ") + name);
  std::string out(static_cast<size_t>(padTo > 0 ? padTo : BN_num_bytes(bn)), '\0');
  BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(out.size()));
  BN_free(bn);
  return crypto::base64UrlEncode(out);
}

int64_t seconds(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
}

}  // namespace

KeyPair generateRsa(int bits) {
  PkeyPtr key(EVP_RSA_gen(static_cast<unsigned>(bits)), EVP_PKEY_free);
  if (!key) throw std::runtime_error("RSA generation failed");
  KeyPair pair{pem(key.get(), true), pem(key.get(), false), {}};
  pair.jwk = {{"kty", "RSA"}, {"n", bnParam(key.get(), OSSL_PKEY_PARAM_RSA_N, 0)},
              {"e", bnParam(key.get(), OSSL_PKEY_PARAM_RSA_E, 0)}, {"alg", "RS256"}, {"use", "sig"}};
  return pair;
}

KeyPair generateP256() {
  PkeyPtr key(EVP_EC_gen("P-256"), EVP_PKEY_free);
  if (!key) throw std::runtime_error("P-256 generation failed");
  KeyPair pair{pem(key.get(), true), pem(key.get(), false), {}};
  pair.jwk = {{"kty", "EC"}, {"crv", "P-256"}, {"x", bnParam(key.get(), OSSL_PKEY_PARAM_EC_PUB_X, 32)},
              {"y", bnParam(key.get(), OSSL_PKEY_PARAM_EC_PUB_Y, 32)}, {"alg", "ES256"}, {"use", "sig"}};
  return pair;
}

const KeyPair& rsaKey() {
  static const KeyPair key = generateRsa(2048);
  return key;
}
const KeyPair& otherRsaKey() {
  static const KeyPair key = generateRsa(2048);
  return key;
}
const KeyPair& p256Key() {
  static const KeyPair key = generateP256();
  return key;
}

nlohmann::json jwkWithKid(const KeyPair& key, std::string_view kid) {
  nlohmann::json jwk = key.jwk;
  jwk["kid"] = kid;
  return jwk;
}

std::string jwksJson(std::initializer_list<std::pair<const KeyPair*, std::string_view>> keys) {
  nlohmann::json set = {{"keys", nlohmann::json::array()}};
  for (const auto& [key, kid] : keys) set["keys"].push_back(jwkWithKid(*key, kid));
  return set.dump(2);
}

nlohmann::json serviceAccountClaims(const Clock& clock, std::string_view node) {
  const int64_t now = seconds(clock);
  return {
      {"aud", {"migwarden"}},
      {"exp", now + 3600},
      {"iat", now},
      {"nbf", now},
      {"iss", "https://kubernetes.default.svc.cluster.local"},
      {"jti", "0b1c2d3e-aaaa-bbbb-cccc-000000000001"},
      {"sub", "system:serviceaccount:gpu-system:migwarden-agent"},
      {"kubernetes.io",
       {{"namespace", "gpu-system"},
        {"node", {{"name", node}, {"uid", "6f3c5a1e-node-uid"}}},
        {"pod", {{"name", "migwarden-agent-x7k2p"}, {"uid", "9d8e7f6a-pod-uid"}}},
        {"serviceaccount", {{"name", "migwarden-agent"}, {"uid", "1a2b3c4d-sa-uid"}}}}},
  };
}

nlohmann::json devClaims(const Clock& clock, std::string_view node) {
  const int64_t now = seconds(clock);
  return {{"aud", "migwarden"}, {"exp", now + 3600}, {"iat", now}, {"nbf", now}, {"sub", "node:" + std::string(node)}};
}

std::string signToken(std::string_view alg, std::string_view key, const nlohmann::json& claims, std::string_view kid) {
  jwt::jwt_object token{jwt::params::algorithm(jwt::string_view(alg.data(), alg.size())),
                        jwt::params::secret(jwt::string_view(key.data(), key.size()))};
  if (!kid.empty()) token.header().add_header("kid", std::string(kid));
  for (const auto& [name, value] : claims.items()) token.payload().add_claim(name, value);
  return token.signature();
}

std::string rawToken(const nlohmann::json& header, const nlohmann::json& claims, std::string_view signature) {
  return crypto::base64UrlEncode(header.dump()) + "." + crypto::base64UrlEncode(claims.dump()) + "." +
         crypto::base64UrlEncode(signature);
}

std::string hmacToken(const nlohmann::json& header, const nlohmann::json& claims, std::string_view secret) {
  const std::string input = crypto::base64UrlEncode(header.dump()) + "." + crypto::base64UrlEncode(claims.dump());
  const auto mac = crypto::hmacSha256(secret, input);
  return input + "." + crypto::base64UrlEncode(std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size()));
}

std::string withPayload(std::string_view token, const nlohmann::json& claims) {
  const size_t dot1 = token.find('.');
  const size_t dot2 = token.find('.', dot1 + 1);
  return std::string(token.substr(0, dot1 + 1)) + crypto::base64UrlEncode(claims.dump()) +
         std::string(token.substr(dot2));
}

std::string withFlippedSignatureBit(std::string_view token) {
  const size_t dot2 = token.rfind('.');
  std::string signature = *crypto::base64UrlDecode(token.substr(dot2 + 1));
  signature[signature.size() / 2] ^= 0x01;
  return std::string(token.substr(0, dot2 + 1)) + crypto::base64UrlEncode(signature);
}

}  // namespace migwarden::auth::testing
