// Production authentication: tokens signed by keys from a JWKS file (--agent-jwks),
// typically the cluster's ServiceAccount issuer keys (kubectl get --raw /openid/v1/jwks),
// mounted from a ConfigMap or Secret. The token's `kid` selects the key, and the key's
// type alone decides the algorithm: an RSA key verifies RS256 only, a P-256 key ES256 only.
//
// Rotation: the file is re-read when it changes (checked at most once per recheck
// interval, and immediately when a token names an unknown kid). A file that fails to
// parse keeps the previous keys in service and is reported by lastReloadStatus().
//
// Thread-safety: verify() and reloadIfChanged() may run concurrently; verification uses
// an immutable snapshot of the key set.
#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "webhook/auth/token_verifier.h"
#include "webhook/common/file_watch.h"

namespace migwarden::auth {

struct KeySet;

class JwksTokenVerifier final : public TokenVerifier {
 public:
  // Fails when the file cannot be read or holds no usable key. `clock` must outlive this.
  static Result<std::unique_ptr<JwksTokenVerifier>> open(std::string path, ClaimPolicy policy, const Clock& clock,
                                                         std::chrono::milliseconds recheckInterval =
                                                             std::chrono::seconds(1));

  Result<AgentIdentity> verify(std::string_view bearerToken, std::string_view expectedNode) const override;

  // Re-reads the file if its fingerprint changed. Returns the outcome of the last read
  // attempt (OK when nothing changed); on failure the previous keys stay active.
  Status reloadIfChanged() const;
  Status lastReloadStatus() const;
  size_t keyCount() const;

 private:
  JwksTokenVerifier(std::string path, ClaimPolicy policy, const Clock& clock, std::chrono::milliseconds recheck);
  Status loadLocked() const;
  std::shared_ptr<const KeySet> currentKeys(bool forceCheck) const;

  const std::string path_;
  const ClaimPolicy policy_;
  const Clock& clock_;
  const std::chrono::milliseconds recheckInterval_;

  mutable std::mutex mu_;  // guards everything below
  mutable FileChangeDetector detector_;
  mutable std::shared_ptr<const KeySet> keys_;
  mutable Status lastReload_;
  mutable std::chrono::steady_clock::time_point lastCheck_;
};

}  // namespace migwarden::auth
