// Mints development agent tokens: HS256, `sub` = "node:<name>", for test clusters,
// tests, and `migwardenctl token`. Production agents use projected ServiceAccount tokens.
// Thread-safe (pure function of its arguments and the clock).
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "webhook/common/clock.h"
#include "webhook/common/status.h"

namespace migwarden::auth {

struct DevTokenRequest {
  std::string node{};
  std::string audience = "migwarden";
  std::string issuer{};  // empty: no iss claim
  std::chrono::seconds ttl{3600};
};

// InvalidArgument when the key is too short, the node empty or the ttl not positive.
// The token carries iat = nbf = now and exp = now + ttl.
Result<std::string> mintDevToken(std::string_view key, const DevTokenRequest& request, const Clock& clock);

}  // namespace migwarden::auth
