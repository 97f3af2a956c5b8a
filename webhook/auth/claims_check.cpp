#include "webhook/auth/claims_check.h"

#include <rapidjson/document.h>

#include <algorithm>
#include <cmath>
#include <optional>
#include <vector>

#include "webhook/auth/jwt_parts.h"
#include "webhook/common/json_util.h"

namespace migwarden::auth {
namespace {

constexpr std::string_view kDevSubjectPrefix = "node:";

Status unauthenticated(std::string message) { return Status::Unauthenticated(std::move(message)); }

// RFC 7519 NumericDate: seconds since the epoch, possibly fractional. Bounded (year
// ~5138) so that the arithmetic below and the conversion to time_point cannot overflow.
constexpr int64_t kMaxNumericDate = 100'000'000'000;

Result<std::optional<int64_t>> numericDate(const rapidjson::Value& claims, const char* name) {
  const rapidjson::Value* v = json::find(claims, name);
  if (v == nullptr) return std::optional<int64_t>();
  if (!v->IsNumber())
    return unauthenticated(std::string("claim ") + name + " must be a NumericDate (seconds since the epoch), got " +
                           std::string(json::typeName(*v)));
  const double value = v->IsInt64() ? static_cast<double>(v->GetInt64()) : v->GetDouble();
  if (!std::isfinite(value) || std::fabs(value) > static_cast<double>(kMaxNumericDate))
    return unauthenticated(std::string("claim ") + name + " is out of range");
  return std::optional<int64_t>(v->IsInt64() ? v->GetInt64() : static_cast<int64_t>(std::floor(value)));
}

Result<std::vector<std::string>> audiences(const rapidjson::Value& claims) {
  const rapidjson::Value* v = json::find(claims, "aud");
  if (v == nullptr) return unauthenticated("token has no aud claim");
  std::vector<std::string> out;
  if (v->IsString()) {
    out.emplace_back(v->GetString(), v->GetStringLength());
    return out;
  }
  if (!v->IsArray()) return unauthenticated("claim aud must be a string or an array of strings");
  for (const auto& item : v->GetArray()) {
    if (!item.IsString()) return unauthenticated("claim aud must be a string or an array of strings");
    out.emplace_back(item.GetString(), item.GetStringLength());
  }
  return out;
}

Result<std::optional<std::string>> stringClaim(const rapidjson::Value& claims, const char* name) {
  auto value = json::optionalString(claims, name, "claims");
  if (!value.ok()) return unauthenticated(value.status().message());
  return std::move(*value);
}

// kubernetes.io.node.name of a projected ServiceAccount token (Kubernetes ≥ 1.30 adds
// the node the pod runs on: {"kubernetes.io": {"node": {"name", "uid"}, "pod": ...}}).
Result<std::optional<std::string>> kubernetesNodeName(const rapidjson::Value& claims) {
  auto k8s = json::optionalObject(claims, "kubernetes.io", "claims");
  if (!k8s.ok()) return unauthenticated(k8s.status().message());
  if (*k8s == nullptr) return std::optional<std::string>();
  if (!(*k8s)->IsObject()) return unauthenticated("claim kubernetes.io must be an object");
  auto node = json::optionalObject(**k8s, "node", "claims.kubernetes.io");
  if (!node.ok()) return unauthenticated(node.status().message());
  if (*node == nullptr) return std::optional<std::string>();
  if (!(*node)->IsObject()) return unauthenticated("claim kubernetes.io.node must be an object");
  auto name = json::requireString(**node, "name", "claims.kubernetes.io.node");
  if (!name.ok()) return unauthenticated(name.status().message());
  return std::optional<std::string>(std::move(*name));
}

Result<std::string> tokenNode(const rapidjson::Value& claims, const std::optional<std::string>& subject,
                              bool acceptDevSubject) {
  auto k8sNode = kubernetesNodeName(claims);
  if (!k8sNode.ok()) return k8sNode.status();
  std::optional<std::string> node = std::move(*k8sNode);
  if (!node && acceptDevSubject && subject && subject->starts_with(kDevSubjectPrefix))
    node = subject->substr(kDevSubjectPrefix.size());
  if (!node)
    return unauthenticated(acceptDevSubject
                               ? "token names no node: expected claim kubernetes.io.node.name or sub \"node:<name>\""
                               : "token names no node: expected claim kubernetes.io.node.name (projected "
                                 "ServiceAccount token, Kubernetes 1.30 or later)");
  if (node->empty()) return unauthenticated("token names an empty node");
  return std::move(*node);
}

Status checkTimes(const rapidjson::Value& claims, const ClaimPolicy& policy, const Clock& clock, int64_t* expiry) {
  const int64_t now =
      std::chrono::duration_cast<std::chrono::seconds>(clock.now().time_since_epoch()).count();
  const int64_t leeway = policy.leeway.count();
  auto exp = numericDate(claims, "exp");
  if (!exp.ok()) return exp.status();
  if (!*exp) return unauthenticated("token has no exp claim (tokens must expire)");
  if (now > **exp + leeway)
    return unauthenticated("token expired " + std::to_string(now - **exp) + "s ago (leeway " +
                           std::to_string(leeway) + "s)");
  auto nbf = numericDate(claims, "nbf");
  if (!nbf.ok()) return nbf.status();
  if (*nbf && now + leeway < **nbf)
    return unauthenticated("token not valid yet: nbf is " + std::to_string(**nbf - now) + "s in the future (leeway " +
                           std::to_string(leeway) + "s)");
  auto iat = numericDate(claims, "iat");
  if (!iat.ok()) return iat.status();
  if (*iat && now + leeway < **iat)
    return unauthenticated("token issued in the future: iat is " + std::to_string(**iat - now) + "s ahead (leeway " +
                           std::to_string(leeway) + "s)");
  *expiry = **exp;
  return Status::Ok();
}

}  // namespace

Result<AgentIdentity> checkClaims(std::string_view payloadJson, const ClaimPolicy& policy, const Clock& clock,
                                  std::string_view expectedNode) {
  auto doc = json::parse(payloadJson);
  if (!doc.ok() || !doc->IsObject()) return unauthenticated("malformed token: claims are not a JSON object");
  const rapidjson::Value& claims = *doc;

  int64_t expiry = 0;
  MIGWARDEN_RETURN_IF_ERROR(checkTimes(claims, policy, clock, &expiry));

  auto aud = audiences(claims);
  if (!aud.ok()) return aud.status();
  if (std::find(aud->begin(), aud->end(), policy.audience) == aud->end())
    return unauthenticated("token audience does not include " + quoteForMessage(policy.audience));

  auto issuer = stringClaim(claims, "iss");
  if (!issuer.ok()) return issuer.status();
  if (policy.issuer && issuer->value_or("") != *policy.issuer)
    return unauthenticated(*issuer ? "token issuer " + quoteForMessage(**issuer) + " is not " +
                                         quoteForMessage(*policy.issuer)
                                   : "token has no iss claim; expected " + quoteForMessage(*policy.issuer));

  auto subject = stringClaim(claims, "sub");
  if (!subject.ok()) return subject.status();
  auto node = tokenNode(claims, *subject, policy.acceptDevSubject);
  if (!node.ok()) return node.status();
  if (*node != expectedNode)
    return Status::PermissionDenied("token is for node " + quoteForMessage(*node) + ", not " +
                                    quoteForMessage(expectedNode));

  AgentIdentity identity;
  identity.node = std::move(*node);
  identity.subject = subject->value_or("");
  identity.issuer = issuer->value_or("");
  identity.expiry = std::chrono::system_clock::time_point(std::chrono::seconds(expiry));
  return identity;
}

}  // namespace migwarden::auth
