#include "webhook/auth/dev_token.h"

#include <jwt/jwt.hpp>

#include "webhook/auth/hs256_verifier.h"

namespace migwarden::auth {

Result<std::string> mintDevToken(std::string_view key, const DevTokenRequest& request, const Clock& clock) {
  MIGWARDEN_RETURN_IF_ERROR(validateHs256Key(key));
  if (request.node.empty()) return Status::InvalidArgument("node: must not be empty");
  if (request.audience.empty()) return Status::InvalidArgument("audience: must not be empty");
  if (request.ttl <= std::chrono::seconds(0)) return Status::InvalidArgument("ttl: must be positive");

  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
  // cpp-jwt reports errors by exception; they stop here.
  try {
    jwt::jwt_object token{jwt::params::algorithm("HS256"), jwt::params::secret(jwt::string_view(key.data(), key.size()))};
    token.add_claim("sub", "node:" + request.node)
        .add_claim("aud", request.audience)
        .add_claim("iat", now)
        .add_claim("nbf", now)
        .add_claim("exp", now + request.ttl.count());
    if (!request.issuer.empty()) token.add_claim("iss", request.issuer);
    std::error_code ec;
    std::string encoded = token.signature(ec);
    if (ec) return Status::Internal("signing the dev token failed: " + ec.message());
    return encoded;
  } catch (const std::exception& e) {
    return Status::Internal(std::string("signing the dev token failed: ") + e.what());
  }
}

}  // namespace migwarden::auth
