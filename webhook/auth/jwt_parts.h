// Splits a compact JWS (header.payload.signature) and decodes its protected header.
// The payload is only base64url-decoded here: its JSON is parsed after the signature
// has been checked, so unauthenticated input never reaches the claim parser.
// Internal to migwarden_auth. Thread-safe (pure functions).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "webhook/common/status.h"

namespace migwarden::auth {

struct JwtHeader {
  std::string alg;
  std::optional<std::string> kid;
};

struct JwtParts {
  JwtHeader header;
  std::string_view signingInput;  // "<header>.<payload>" as received (views the token)
  std::string payloadJson;        // decoded, not yet parsed
  std::string signature;          // decoded bytes
};

// Unauthenticated on any structural problem: size, part count, base64url, header JSON,
// `alg` missing or "none", unsupported `crit` extensions.
Result<JwtParts> splitJwt(std::string_view token);

// Quotes attacker-controlled text for an error message: at most 64 printable ASCII
// characters, the rest escaped or cut.
std::string quoteForMessage(std::string_view text);

}  // namespace migwarden::auth
