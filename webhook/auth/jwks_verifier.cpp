#include "webhook/auth/jwks_verifier.h"

#include <spdlog/spdlog.h>

#include "webhook/auth/claims_check.h"
#include "webhook/auth/jwks.h"
#include "webhook/auth/jwt_parts.h"
#include "webhook/common/env.h"

namespace migwarden::auth {

JwksTokenVerifier::JwksTokenVerifier(std::string path, ClaimPolicy policy, const Clock& clock,
                                     std::chrono::milliseconds recheck)
    : path_(std::move(path)),
      policy_(std::move(policy)),
      clock_(clock),
      recheckInterval_(recheck),
      detector_({path_}),
      lastCheck_(clock.steadyNow()) {}

Result<std::unique_ptr<JwksTokenVerifier>> JwksTokenVerifier::open(std::string path, ClaimPolicy policy,
                                                                   const Clock& clock,
                                                                   std::chrono::milliseconds recheckInterval) {
  std::unique_ptr<JwksTokenVerifier> verifier(
      new JwksTokenVerifier(std::move(path), std::move(policy), clock, recheckInterval));
  std::lock_guard lock(verifier->mu_);
  MIGWARDEN_RETURN_IF_ERROR(verifier->loadLocked());
  return verifier;
}

Status JwksTokenVerifier::loadLocked() const {
  PosixEnv env;
  auto text = env.readFile(path_);
  Status status = text.ok() ? Status::Ok() : text.status();
  if (status.ok()) {
    auto set = parseJwks(*text);
    if (set.ok()) {
      for (const auto& skipped : set->skipped) spdlog::warn("agent JWKS {}: skipping {}", path_, skipped);
      spdlog::info("agent JWKS {}: {} verification key(s) loaded", path_, set->byKid.size());
      keys_ = std::make_shared<const KeySet>(std::move(*set));
    } else {
      status = set.status();
    }
  }
  if (!status.ok()) {
    status = status.withContext("agent JWKS " + path_);
    if (keys_) spdlog::warn("{}; keeping the previous keys", status.message());
  }
  lastReload_ = status;
  return status;
}

Status JwksTokenVerifier::reloadIfChanged() const {
  std::lock_guard lock(mu_);
  lastCheck_ = clock_.steadyNow();
  if (detector_.changed()) return loadLocked();
  return lastReload_;
}

std::shared_ptr<const KeySet> JwksTokenVerifier::currentKeys(bool forceCheck) const {
  std::lock_guard lock(mu_);
  const auto now = clock_.steadyNow();
  if (forceCheck || now - lastCheck_ >= recheckInterval_) {
    lastCheck_ = now;
    if (detector_.changed()) (void)loadLocked();
  }
  return keys_;
}

Status JwksTokenVerifier::lastReloadStatus() const {
  std::lock_guard lock(mu_);
  return lastReload_;
}

size_t JwksTokenVerifier::keyCount() const {
  std::lock_guard lock(mu_);
  return keys_ ? keys_->byKid.size() : 0;
}

Result<AgentIdentity> JwksTokenVerifier::verify(std::string_view bearerToken, std::string_view expectedNode) const {
  auto parts = splitJwt(bearerToken);
  if (!parts.ok()) return parts.status();
  if (!parts->header.kid) return Status::Unauthenticated("token header has no kid; cannot select a verification key");
  const std::string& kid = *parts->header.kid;

  std::shared_ptr<const KeySet> keys = currentKeys(/*forceCheck=*/false);
  auto it = keys->byKid.find(kid);
  if (it == keys->byKid.end()) {
    // A new signing key may have been published since the last check.
    keys = currentKeys(/*forceCheck=*/true);
    it = keys->byKid.find(kid);
    if (it == keys->byKid.end())
      return Status::Unauthenticated("token kid " + quoteForMessage(kid) + " matches no key in the agent JWKS");
  }
  const PublicKey& key = it->second;
  // The key decides the algorithm (RFC 8725 §3.1). This is what stops an HS256 token
  // "signed" with the public key bytes as the HMAC secret (algorithm confusion).
  if (parts->header.alg != algorithmName(key.algorithm()))
    return Status::Unauthenticated("token alg " + quoteForMessage(parts->header.alg) + " does not match key " +
                                   quoteForMessage(kid) + ", which is for " + std::string(algorithmName(key.algorithm())));
  if (!key.verify(parts->signingInput, parts->signature)) return Status::Unauthenticated("token signature is invalid");
  return checkClaims(parts->payloadJson, policy_, clock_, expectedNode);
}

}  // namespace migwarden::auth
