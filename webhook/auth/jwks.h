// JSON Web Key Set (RFC 7517) parsing into verification keys indexed by `kid`.
// Supported: {"kty":"RSA","n","e"} for RS256 and {"kty":"EC","crv":"P-256","x","y"} for
// ES256 — what the Kubernetes ServiceAccount issuer publishes at /openid/v1/jwks.
// Keys for other algorithms or uses are skipped (listed in `skipped`), so one JWKS can
// serve several consumers; a malformed supported key fails the whole set, naming it.
// Internal to migwarden_auth. A KeySet is immutable once built.
#pragma once

#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "webhook/auth/public_key.h"
#include "webhook/common/status.h"

namespace migwarden::auth {

struct KeySet {
  std::unordered_map<std::string, PublicKey> byKid;
  std::vector<std::string> skipped;  // "keys[2] (kid \"x\"): kty \"OKP\" is not supported"
};

// InvalidArgument naming the JSON path (keys[1].n) on malformed input, or when the set
// holds no usable key or a duplicate kid.
Result<KeySet> parseJwks(std::string_view json);

}  // namespace migwarden::auth
