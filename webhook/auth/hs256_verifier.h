// Development authentication: every agent shares one HMAC-SHA256 key with the webhook
// (--agent-hs256-key). Anyone holding the key can mint a token for any node, so this is
// for test clusters; production uses projected ServiceAccount tokens (jwks_verifier.h).
// Thread-safety: immutable after construction; verify() may run concurrently.
#pragma once

#include <memory>
#include <string>

#include "webhook/auth/token_verifier.h"

namespace migwarden::auth {

// Shorter keys are rejected: HS256 keys below the hash size weaken the MAC (RFC 7518 §3.2).
inline constexpr size_t kMinHs256KeyBytes = 32;

// Reads a key file: its bytes with surrounding whitespace trimmed (so `echo`-written
// files work); InvalidArgument when shorter than kMinHs256KeyBytes.
Result<std::string> loadHs256Key(const std::string& path);
Status validateHs256Key(std::string_view key);

class Hs256TokenVerifier final : public TokenVerifier {
 public:
  // `policy.acceptDevSubject` is forced on: dev tokens name their node in `sub`.
  static Result<std::unique_ptr<Hs256TokenVerifier>> create(std::string key, ClaimPolicy policy, const Clock& clock);

  Result<AgentIdentity> verify(std::string_view bearerToken, std::string_view expectedNode) const override;

 private:
  Hs256TokenVerifier(std::string key, ClaimPolicy policy, const Clock& clock)
      : key_(std::move(key)), policy_(std::move(policy)), clock_(clock) {}
  const std::string key_;
  const ClaimPolicy policy_;
  const Clock& clock_;
};

}  // namespace migwarden::auth
