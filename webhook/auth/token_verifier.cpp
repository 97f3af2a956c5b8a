#include "webhook/auth/token_verifier.h"

#include "webhook/auth/hs256_verifier.h"
#include "webhook/auth/jwks_verifier.h"

namespace migwarden::auth {

AuthFailure failureKindOf(const Status& status) {
  return status.code() == StatusCode::kPermissionDenied ? AuthFailure::kForbidden : AuthFailure::kUnauthenticated;
}

int httpStatusOf(const Status& status) { return failureKindOf(status) == AuthFailure::kForbidden ? 403 : 401; }

Result<std::string_view> bearerTokenFromHeader(std::string_view authorization) {
  if (authorization.empty()) return Status::Unauthenticated("missing Authorization header (expected \"Bearer <token>\")");
  constexpr std::string_view kScheme = "bearer ";
  if (authorization.size() <= kScheme.size()) return Status::Unauthenticated("Authorization header is not a Bearer token");
  for (size_t i = 0; i < kScheme.size(); ++i) {
    char c = authorization[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kScheme[i]) return Status::Unauthenticated("Authorization header is not a Bearer token");
  }
  std::string_view token = authorization.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty()) return Status::Unauthenticated("Authorization header has an empty Bearer token");
  if (token.size() > kMaxTokenBytes)
    return Status::Unauthenticated("token is " + std::to_string(token.size()) + " bytes, more than the " +
                                   std::to_string(kMaxTokenBytes) + " allowed");
  return token;
}

Result<std::unique_ptr<TokenVerifier>> makeTokenVerifier(const AgentAuthConfig& config, const Clock& clock) {
  if (config.hs256KeyFile.empty() == config.jwksFile.empty())
    return Status::InvalidArgument("set exactly one of --agent-hs256-key and --agent-jwks");
  if (config.audience.empty()) return Status::InvalidArgument("--agent-audience: must not be empty");
  if (config.leeway < std::chrono::seconds(0) || config.leeway > std::chrono::minutes(10))
    return Status::InvalidArgument("--agent-clock-leeway: must be between 0s and 10m");
  ClaimPolicy policy;
  policy.audience = config.audience;
  if (!config.issuer.empty()) policy.issuer = config.issuer;
  policy.leeway = config.leeway;

  if (!config.hs256KeyFile.empty()) {
    auto key = loadHs256Key(config.hs256KeyFile);
    if (!key.ok()) return key.status().withContext("--agent-hs256-key");
    auto verifier = Hs256TokenVerifier::create(std::move(*key), std::move(policy), clock);
    if (!verifier.ok()) return verifier.status();
    return std::unique_ptr<TokenVerifier>(std::move(*verifier));
  }
  auto verifier = JwksTokenVerifier::open(config.jwksFile, std::move(policy), clock);
  if (!verifier.ok()) return verifier.status().withContext("--agent-jwks");
  return std::unique_ptr<TokenVerifier>(std::move(*verifier));
}

}  // namespace migwarden::auth
