#include "webhook/auth/jwks.h"

#include <rapidjson/document.h>

#include <optional>

#include "webhook/auth/jwt_parts.h"
#include "webhook/common/crypto.h"
#include "webhook/common/json_util.h"

namespace migwarden::auth {
namespace {

Result<std::string> base64UrlMember(const rapidjson::Value& jwk, std::string_view name, const std::string& path) {
  auto text = json::requireString(jwk, name, path);
  if (!text.ok()) return text.status();
  auto bytes = crypto::base64UrlDecode(*text);
  if (!bytes || bytes->empty())
    return Status::InvalidArgument(json::joinPath(path, name) + ": not a non-empty base64url value");
  return std::move(*bytes);
}

// Each parser returns nullopt for a well-formed key we do not handle (with the reason in
// *skipReason), an error for a malformed key.
using MaybeKey = Result<std::optional<PublicKey>>;

MaybeKey skip(std::string* skipReason, std::string reason) {
  *skipReason = std::move(reason);
  return std::optional<PublicKey>();
}

MaybeKey built(Result<PublicKey> key, const std::string& path) {
  if (!key.ok()) return key.status().withContext(path);
  return std::optional<PublicKey>(std::move(key).value());
}

MaybeKey parseRsaKey(const rapidjson::Value& jwk, const std::string& path, const std::optional<std::string>& alg,
                     std::string* skipReason) {
  if (alg && *alg != "RS256")
    return skip(skipReason, "alg " + quoteForMessage(*alg) + " is not supported for RSA keys (RS256 is)");
  auto n = base64UrlMember(jwk, "n", path);
  if (!n.ok()) return n.status();
  auto e = base64UrlMember(jwk, "e", path);
  if (!e.ok()) return e.status();
  return built(PublicKey::rsa(*n, *e), path);
}

MaybeKey parseEcKey(const rapidjson::Value& jwk, const std::string& path, const std::optional<std::string>& alg,
                    std::string* skipReason) {
  auto crv = json::requireString(jwk, "crv", path);
  if (!crv.ok()) return crv.status();
  if (*crv != "P-256" || (alg && *alg != "ES256"))
    return skip(skipReason, "curve " + quoteForMessage(*crv) + " is not supported (P-256 with ES256 is)");
  auto x = base64UrlMember(jwk, "x", path);
  if (!x.ok()) return x.status();
  auto y = base64UrlMember(jwk, "y", path);
  if (!y.ok()) return y.status();
  return built(PublicKey::p256(*x, *y), path);
}

MaybeKey parseKey(const rapidjson::Value& jwk, const std::string& path, std::string* skipReason) {
  auto kty = json::requireString(jwk, "kty", path);
  if (!kty.ok()) return kty.status();
  auto alg = json::optionalString(jwk, "alg", path);
  if (!alg.ok()) return alg.status();
  auto use = json::optionalString(jwk, "use", path);
  if (!use.ok()) return use.status();
  if (*use && **use != "sig") return skip(skipReason, "use " + quoteForMessage(**use) + " is not \"sig\"");
  if (*kty == "RSA") return parseRsaKey(jwk, path, *alg, skipReason);
  if (*kty == "EC") return parseEcKey(jwk, path, *alg, skipReason);
  return skip(skipReason, "kty " + quoteForMessage(*kty) + " is not supported");
}

}  // namespace

Result<KeySet> parseJwks(std::string_view text) {
  auto doc = json::parse(text);
  if (!doc.ok()) return doc.status();
  if (!doc->IsObject()) return json::typeError("", "object", *doc);
  auto keys = json::optionalArray(*doc, "keys", "");
  if (!keys.ok()) return keys.status();
  if (*keys == nullptr || !(*keys)->IsArray()) return Status::InvalidArgument("keys: required array is missing");

  KeySet set;
  for (rapidjson::SizeType i = 0; i < (*keys)->Size(); ++i) {
    const rapidjson::Value& jwk = (**keys)[i];
    const std::string path = json::joinIndex("keys", i);
    if (!jwk.IsObject()) return json::typeError(path, "object", jwk);
    // RFC 7517 makes kid optional, but with several keys a token could not name its key;
    // Kubernetes always sets it.
    auto kid = json::requireString(jwk, "kid", path);
    if (!kid.ok()) return kid.status();
    std::string skipReason;
    auto key = parseKey(jwk, path, &skipReason);
    if (!key.ok()) return key.status();
    if (!*key) {
      set.skipped.push_back(path + " (kid " + quoteForMessage(*kid) + "): " + skipReason);
      continue;
    }
    if (!set.byKid.emplace(*kid, std::move(**key)).second)
      return Status::InvalidArgument(path + ".kid: duplicate kid " + quoteForMessage(*kid));
  }
  if (set.byKid.empty()) return Status::InvalidArgument("keys: no usable RS256 or ES256 key");
  return set;
}

}  // namespace migwarden::auth
