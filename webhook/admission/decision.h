// The outcome of running the rule pipeline on one AdmissionReview: allow or deny,
// warnings, a JSON Patch (honoured on /mutate only) and audit annotations. The encoder
// turns it into the AdmissionReview response.
// Thread-safety: one Decision per request; not shared.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "webhook/admission/json_patch.h"

namespace migwarden::admission {

struct Decision {
  bool allowed = true;
  // Set by the first deny(); further denials append their message ("; ").
  int code = 0;
  std::string reason;
  std::string message;
  std::vector<std::string> warnings;  // raw; the encoder sanitizes and caps them
  JsonPatch patch;
  std::vector<std::pair<std::string, std::string>> auditAnnotations;  // key without the webhook prefix

  // code: an HTTP status >= 400 (the apiserver forces < 400 up to 400); reason: a
  // metav1.StatusReason such as "Forbidden" or "Invalid".
  void deny(int statusCode, std::string statusReason, std::string text) {
    if (allowed) {
      allowed = false;
      code = statusCode;
      reason = std::move(statusReason);
      message = std::move(text);
    } else {
      message += "; ";
      message += text;
    }
  }
  void warn(std::string text) { warnings.push_back(std::move(text)); }
  void annotate(std::string key, std::string value) { auditAnnotations.emplace_back(std::move(key), std::move(value)); }
};

}  // namespace migwarden::admission
