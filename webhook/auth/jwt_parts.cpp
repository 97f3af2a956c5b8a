#include "webhook/auth/jwt_parts.h"

#include <rapidjson/document.h>

#include "webhook/auth/token_verifier.h"
#include "webhook/common/crypto.h"
#include "webhook/common/json_util.h"

namespace migwarden::auth {
namespace {

Status malformed(std::string_view what) { return Status::Unauthenticated("malformed token: " + std::string(what)); }

Result<JwtHeader> parseHeader(std::string_view encoded) {
  auto json = crypto::base64UrlDecode(encoded);
  if (!json) return malformed("header is not base64url");
  auto doc = json::parse(*json);
  if (!doc.ok() || !doc->IsObject()) return malformed("header is not a JSON object");

  JwtHeader header;
  auto alg = json::requireString(*doc, "alg", "header");
  if (!alg.ok()) return Status::Unauthenticated("malformed token: " + alg.status().message());
  header.alg = std::move(*alg);
  // "none" in any spelling: an unsigned token is never acceptable.
  std::string lower;
  for (char c : header.alg) lower += static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  if (lower == "none") return Status::Unauthenticated("token is unsigned (alg \"none\" is not accepted)");

  auto kid = json::optionalString(*doc, "kid", "header");
  if (!kid.ok()) return Status::Unauthenticated("malformed token: " + kid.status().message());
  header.kid = std::move(*kid);
  // RFC 7515 §4.1.11: a recipient must reject extensions it does not understand; we
  // understand none.
  if (json::find(*doc, "crit") != nullptr) return malformed("header.crit names extensions this server does not support");
  return header;
}

}  // namespace

Result<JwtParts> splitJwt(std::string_view token) {
  if (token.empty()) return Status::Unauthenticated("no bearer token");
  if (token.size() > kMaxTokenBytes)
    return Status::Unauthenticated("token is " + std::to_string(token.size()) + " bytes, more than the " +
                                   std::to_string(kMaxTokenBytes) + " allowed");
  const size_t dot1 = token.find('.');
  const size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
  if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
    return malformed("expected three dot-separated parts (compact JWS)");
  const std::string_view headerPart = token.substr(0, dot1);
  const std::string_view payloadPart = token.substr(dot1 + 1, dot2 - dot1 - 1);
  const std::string_view signaturePart = token.substr(dot2 + 1);
  if (headerPart.empty() || payloadPart.empty()) return malformed("empty header or payload");

  auto header = parseHeader(headerPart);
  if (!header.ok()) return header.status();
  if (signaturePart.empty()) return malformed("empty signature");

  JwtParts parts;
  parts.header = std::move(*header);
  parts.signingInput = token.substr(0, dot2);
  auto payload = crypto::base64UrlDecode(payloadPart);
  if (!payload) return malformed("payload is not base64url");
  parts.payloadJson = std::move(*payload);
  auto signature = crypto::base64UrlDecode(signaturePart);
  if (!signature) return malformed("signature is not base64url");
  parts.signature = std::move(*signature);
  return parts;
}

std::string quoteForMessage(std::string_view text) {
  constexpr size_t kMax = 64;
  std::string out = "\"";
  for (size_t i = 0; i < text.size() && i < kMax; ++i) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\') {
      out += static_cast<char>(c);
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out += "\\x";
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  if (text.size() > kMax) out += "...";
  out += '"';
  return out;
}

}  // namespace migwarden::auth
