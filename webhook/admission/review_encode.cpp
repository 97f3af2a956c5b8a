#include "webhook/admission/review_encode.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/spdlog.h>

#include "webhook/admission/sanitize.h"
#include "webhook/common/crypto.h"

namespace migwarden::admission {
namespace {

using Writer = rapidjson::Writer<rapidjson::StringBuffer>;

void writeString(Writer& w, std::string_view s) { w.String(s.data(), static_cast<rapidjson::SizeType>(s.size())); }

}  // namespace

std::string sanitizeWarning(std::string_view text) { return sanitizeText(text, kMaxWarningChars); }

bool isValidAuditAnnotationKey(std::string_view key) {
  if (key.empty() || key.size() > 63) return false;
  auto alnum = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'); };
  if (!alnum(key.front()) || !alnum(key.back())) return false;
  for (char c : key) {
    if (!alnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

std::string encodeAdmissionResponse(ReviewVersion version, Endpoint endpoint, std::string_view uid,
                                    const Decision& decision) {
  rapidjson::StringBuffer buf;
  Writer w(buf);
  w.StartObject();
  w.Key("apiVersion");
  writeString(w, reviewApiVersion(version));
  w.Key("kind");
  w.String("AdmissionReview");
  w.Key("response");
  w.StartObject();
  w.Key("uid");
  writeString(w, uid);
  w.Key("allowed");
  w.Bool(decision.allowed);
  if (!decision.allowed) {
    w.Key("status");
    w.StartObject();
    w.Key("code");
    w.Int(decision.code >= 400 ? decision.code : 403);
    if (!decision.reason.empty()) {
      w.Key("reason");
      writeString(w, decision.reason);
    }
    w.Key("message");
    writeString(w, decision.message);
    w.EndObject();
  }
  // The apiserver rejects a validating response carrying patch or patchType, and a
  // mutating one carrying only one of the two.
  if (endpoint == Endpoint::kMutate && decision.allowed && !decision.patch.empty()) {
    w.Key("patch");
    writeString(w, crypto::base64Encode(decision.patch.toJson()));
    w.Key("patchType");
    w.String("JSONPatch");
  }
  if (!decision.warnings.empty()) {
    w.Key("warnings");
    w.StartArray();
    size_t kept = 0;
    for (size_t i = 0; i < decision.warnings.size(); ++i) {
      if (kept == kMaxWarnings) {
        spdlog::warn("admission response for uid {}: {} warnings dropped (cap {})", sanitizeText(uid, kMaxQuotedChars),
                     decision.warnings.size() - i, kMaxWarnings);
        break;
      }
      std::string clean = sanitizeWarning(decision.warnings[i]);
      if (clean.empty()) continue;
      writeString(w, clean);
      ++kept;
    }
    w.EndArray();
  }
  bool annotationsOpen = false;
  const auto& annotations = decision.auditAnnotations;
  for (size_t i = 0; i < annotations.size(); ++i) {
    const auto& [key, value] = annotations[i];
    if (!isValidAuditAnnotationKey(key)) {
      spdlog::warn("admission response for uid {}: dropped audit annotation with invalid key {}",
                   sanitizeText(uid, kMaxQuotedChars), quoteValue(key));
      continue;
    }
    // The apiserver refuses to overwrite a key; the first rule to set it wins.
    bool duplicate = false;
    for (size_t j = 0; j < i && !duplicate; ++j) duplicate = annotations[j].first == key;
    if (duplicate) continue;
    if (!annotationsOpen) {
      w.Key("auditAnnotations");
      w.StartObject();
      annotationsOpen = true;
    }
    writeString(w, key);
    writeString(w, value);
  }
  if (annotationsOpen) w.EndObject();
  w.EndObject();
  w.EndObject();
  return std::string(buf.GetString(), buf.GetSize());
}

}  // namespace migwarden::admission
