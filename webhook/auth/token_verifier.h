// Agent authentication: who may report a node's GPU inventory to the ledger API.
//
// A node agent presents `Authorization: Bearer <JWT>`. A TokenVerifier checks the
// signature, the time claims, the audience, the optional issuer, and that the node the
// token names is the node in the URL. Two implementations exist:
//   - Hs256TokenVerifier (hs256_verifier.h): a shared secret, for development clusters;
//   - JwksTokenVerifier (jwks_verifier.h): public keys (RS256, ES256) selected by `kid`,
//     typically the cluster's ServiceAccount issuer keys, re-read when the file changes.
//
// Failures come back as a Status whose code is the typed failure kind:
//   kUnauthenticated  -> HTTP 401: no valid token (bad signature, expired, wrong audience...)
//   kPermissionDenied -> HTTP 403: a valid token, but for another node.
// Messages name the failed check and never contain the token.
//
// Thread-safety: verify() is const and safe to call concurrently on one verifier.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "webhook/common/clock.h"
#include "webhook/common/status.h"

namespace migwarden::auth {

// Tokens longer than this are rejected before any decoding (projected ServiceAccount
// tokens are around 1 KiB; the limit bounds the work an unauthenticated caller causes).
inline constexpr size_t kMaxTokenBytes = 8 * 1024;
inline constexpr std::string_view kDefaultAudience = "migwarden";

// The authenticated caller, as established by a valid token.
struct AgentIdentity {
  std::string node;     // the node the token is for (equals the expected node)
  std::string subject;  // `sub`, e.g. system:serviceaccount:gpu-system:migwarden-agent
  std::string issuer;   // `iss`; empty when the token has none
  std::chrono::system_clock::time_point expiry;
};

enum class AuthFailure { kUnauthenticated, kForbidden };

// The failure kind of a non-OK verify() status (kForbidden only for kPermissionDenied).
AuthFailure failureKindOf(const Status& status);
// 401 or 403 for a non-OK verify() status.
int httpStatusOf(const Status& status);

// What the claims of a correctly signed token must satisfy.
struct ClaimPolicy {
  std::string audience = std::string(kDefaultAudience);  // must appear in `aud`
  std::optional<std::string> issuer;                     // `iss` must equal it when set
  std::chrono::seconds leeway{30};                       // clock skew allowed on exp/nbf/iat
  // Accept `sub` = "node:<name>" (dev tokens) when the token has no
  // `kubernetes.io.node.name` claim. Off for JWKS verification: a cluster issuer's
  // tokens carry the node claim, and `sub` there is a ServiceAccount name.
  bool acceptDevSubject = false;
};

class TokenVerifier {
 public:
  virtual ~TokenVerifier() = default;
  // `bearerToken` is the compact JWT (without the "Bearer " prefix).
  virtual Result<AgentIdentity> verify(std::string_view bearerToken, std::string_view expectedNode) const = 0;
};

// Extracts the token from an Authorization header value ("Bearer <token>", scheme
// case-insensitive). Unauthenticated when missing, another scheme, or oversized.
Result<std::string_view> bearerTokenFromHeader(std::string_view authorization);

// The --agent-* flags of the webhook, validated into a verifier.
struct AgentAuthConfig {
  std::string hs256KeyFile{};  // --agent-hs256-key
  std::string jwksFile{};      // --agent-jwks
  std::string audience = std::string(kDefaultAudience);  // --agent-audience
  std::string issuer{};        // --agent-issuer (empty: not checked)
  std::chrono::seconds leeway{30};                       // --agent-clock-leeway
};

// Exactly one of hs256KeyFile and jwksFile must be set. `clock` must outlive the result.
Result<std::unique_ptr<TokenVerifier>> makeTokenVerifier(const AgentAuthConfig& config, const Clock& clock);

}  // namespace migwarden::auth
