// A JWS verification key (RS256 or ES256) built from JWK parameters with OpenSSL 3.
// The OpenSSL key is parsed once, at load; verify() only runs the signature check.
// Internal to migwarden_auth. Immutable after construction; verify() is thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "webhook/common/status.h"

struct evp_pkey_st;  // OpenSSL's EVP_PKEY, kept out of this header

namespace migwarden::auth {

enum class JwsAlgorithm { kHS256, kRS256, kES256 };

std::string_view algorithmName(JwsAlgorithm alg);

class PublicKey {
 public:
  // RSA modulus and public exponent as unsigned big-endian bytes; at least 2048 bits.
  static Result<PublicKey> rsa(std::string_view modulus, std::string_view exponent);
  // P-256 affine coordinates, 32 big-endian bytes each; the point must be on the curve.
  static Result<PublicKey> p256(std::string_view x, std::string_view y);

  // The only algorithm this key verifies (RFC 8725 §3.1: the key decides, not the token).
  JwsAlgorithm algorithm() const { return alg_; }
  // `signature` as carried in the JWS: PKCS#1 v1.5 for RS256, raw R||S for ES256.
  bool verify(std::string_view signingInput, std::string_view signature) const;

 private:
  PublicKey(JwsAlgorithm alg, std::shared_ptr<evp_pkey_st> key) : alg_(alg), key_(std::move(key)) {}
  JwsAlgorithm alg_;
  std::shared_ptr<evp_pkey_st> key_;
};

}  // namespace migwarden::auth
