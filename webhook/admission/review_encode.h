// Encoding of the AdmissionReview response (RapidJSON Writer, one pass):
//   {"apiVersion":<request's>,"kind":"AdmissionReview","response":{"uid":..,"allowed":..,
//    "status":{"code":..,"reason":..,"message":..}   (denied only)
//    "patch":<base64>,"patchType":"JSONPatch"       (/mutate, allowed, non-empty patch only)
//    "warnings":[..], "auditAnnotations":{..}}}
// Warnings are sanitized (valid UTF-8, no control characters, <= kMaxWarningChars
// characters cut on a UTF-8 boundary, at most kMaxWarnings); audit annotation keys that
// are not valid Kubernetes qualified-name parts are dropped with a warning log.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "webhook/admission/admission_service.h"
#include "webhook/admission/decision.h"
#include "webhook/admission/review.h"

namespace migwarden::admission {

// Kubernetes asks for warnings "<= 120 characters if possible".
inline constexpr size_t kMaxWarningChars = 120;
// The apiserver keeps ~4096 runes of warnings in total; 32 * 120 stays under it.
inline constexpr size_t kMaxWarnings = 32;

// Replaces invalid UTF-8 with U+FFFD, drops control characters (C0, DEL, C1), collapses
// the result to at most kMaxWarningChars code points (the last one "…" when cut).
std::string sanitizeWarning(std::string_view text);

// The name part of a qualified name: 1..63 chars, [A-Za-z0-9][-A-Za-z0-9_.]*[A-Za-z0-9].
// The apiserver prefixes "<webhook name>/", so a key must not contain '/'.
bool isValidAuditAnnotationKey(std::string_view key);

std::string encodeAdmissionResponse(ReviewVersion version, Endpoint endpoint, std::string_view uid,
                                    const Decision& decision);

}  // namespace migwarden::admission
