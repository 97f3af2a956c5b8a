// Checks the claims of a token whose signature has already been verified: time
// (exp required, nbf, iat, with leeway), audience, issuer, and the node the token is for.
// Internal to migwarden_auth. Thread-safe (pure function of its arguments).
#pragma once

#include <string_view>

#include "webhook/auth/token_verifier.h"
#include "webhook/common/clock.h"

namespace migwarden::auth {

// Unauthenticated when a claim is missing, malformed or fails its check;
// PermissionDenied when everything holds but the token names another node.
Result<AgentIdentity> checkClaims(std::string_view payloadJson, const ClaimPolicy& policy, const Clock& clock,
                                  std::string_view expectedNode);

}  // namespace migwarden::auth
