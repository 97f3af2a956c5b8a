#include "webhook/auth/hs256_verifier.h"

#include "webhook/auth/claims_check.h"
#include "webhook/auth/jwt_parts.h"
#include "webhook/common/crypto.h"
#include "webhook/common/env.h"

namespace migwarden::auth {
namespace {

std::string_view trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n\v\f";
  const size_t first = s.find_first_not_of(kSpace);
  if (first == std::string_view::npos) return {};
  return s.substr(first, s.find_last_not_of(kSpace) - first + 1);
}

}  // namespace

Status validateHs256Key(std::string_view key) {
  if (key.size() < kMinHs256KeyBytes)
    return Status::InvalidArgument("HS256 key is " + std::to_string(key.size()) + " bytes; at least " +
                                   std::to_string(kMinHs256KeyBytes) + " required");
  return Status::Ok();
}

Result<std::string> loadHs256Key(const std::string& path) {
  PosixEnv env;
  auto contents = env.readFile(path);
  if (!contents.ok()) return contents.status().withContext("HS256 key file " + path);
  std::string key(trim(*contents));
  MIGWARDEN_RETURN_IF_ERROR(validateHs256Key(key).withContext(path));
  return key;
}

Result<std::unique_ptr<Hs256TokenVerifier>> Hs256TokenVerifier::create(std::string key, ClaimPolicy policy,
                                                                         const Clock& clock) {
  MIGWARDEN_RETURN_IF_ERROR(validateHs256Key(key));
  policy.acceptDevSubject = true;
  return std::unique_ptr<Hs256TokenVerifier>(new Hs256TokenVerifier(std::move(key), std::move(policy), clock));
}

Result<AgentIdentity> Hs256TokenVerifier::verify(std::string_view bearerToken, std::string_view expectedNode) const {
  auto parts = splitJwt(bearerToken);
  if (!parts.ok()) return parts.status();
  // The key is a shared secret: only HS256 is meaningful with it.
  if (parts->header.alg != "HS256")
    return Status::Unauthenticated("token alg " + quoteForMessage(parts->header.alg) +
                                   " is not accepted; this server verifies HS256 agent tokens");
  const crypto::Sha256Digest mac = crypto::hmacSha256(key_, parts->signingInput);
  if (!crypto::constantTimeEquals(parts->signature,
                                  std::string_view(reinterpret_cast<const char*>(mac.data()), mac.size())))
    return Status::Unauthenticated("token signature is invalid");
  return checkClaims(parts->payloadJson, policy_, clock_, expectedNode);
}

}  // namespace migwarden::auth
