// Spec: the AdmissionReview response encoding.
#include "webhook/admission/review_encode.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "webhook/common/crypto.h"

namespace migwarden::admission {
namespace {

nlohmann::json encode(ReviewVersion v, Endpoint e, const Decision& d, std::string_view uid = "u-1") {
  return nlohmann::json::parse(encodeAdmissionResponse(v, e, uid, d));
}

Decision withPatch() {
  Decision d;
  d.patch.add(JsonPointer::of({"metadata", "labels"}), "{}");
  return d;
}

TEST(ReviewEncode, MinimalAllowIsExactlyWhatKubernetesDocuments) {
  EXPECT_EQ(encodeAdmissionResponse(ReviewVersion::kV1, Endpoint::kValidate, "abc", Decision()),
            R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"uid":"abc","allowed":true}})");
}

TEST(ReviewEncode, ResponseUsesTheRequestApiVersion) {
  EXPECT_EQ(encode(ReviewVersion::kV1beta1, Endpoint::kValidate, Decision())["apiVersion"], "admission.k8s.io/v1beta1");
  EXPECT_EQ(encode(ReviewVersion::kV1, Endpoint::kValidate, Decision())["apiVersion"], "admission.k8s.io/v1");
}

TEST(ReviewEncode, UidIsEchoedWithJsonEscaping) {
  nlohmann::json j = encode(ReviewVersion::kV1, Endpoint::kValidate, Decision(), "a\"b\\c");
  EXPECT_EQ(j["response"]["uid"], "a\"b\\c");
}

TEST(ReviewEncode, DenialCarriesCodeReasonAndMessage) {
  Decision d;
  d.deny(403, "Forbidden", "profile 7g.80gb is not allowed in namespace ml");
  nlohmann::json r = encode(ReviewVersion::kV1, Endpoint::kValidate, d)["response"];
  EXPECT_EQ(r["allowed"], false);
  EXPECT_EQ(r["status"]["code"], 403);
  EXPECT_EQ(r["status"]["reason"], "Forbidden");
  EXPECT_EQ(r["status"]["message"], "profile 7g.80gb is not allowed in namespace ml");
}

TEST(ReviewEncode, SecondDenialIsAppendedToTheMessage) {
  Decision d;
  d.deny(403, "Forbidden", "first");
  d.deny(422, "Invalid", "second");
  nlohmann::json r = encode(ReviewVersion::kV1, Endpoint::kValidate, d)["response"];
  EXPECT_EQ(r["status"]["code"], 403);
  EXPECT_EQ(r["status"]["message"], "first; second");
}

TEST(ReviewEncode, AllowedResponseHasNoStatus) {
  nlohmann::json r = encode(ReviewVersion::kV1, Endpoint::kValidate, Decision())["response"];
  EXPECT_FALSE(r.contains("status"));
}

TEST(ReviewEncode, MutatePatchIsBase64WithPatchType) {
  nlohmann::json r = encode(ReviewVersion::kV1, Endpoint::kMutate, withPatch())["response"];
  ASSERT_TRUE(r.contains("patch"));
  EXPECT_EQ(r["patchType"], "JSONPatch");
  std::optional<std::string> decoded = crypto::base64Decode(r["patch"].get<std::string>());
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, R"([{"op":"add","path":"/metadata/labels","value":{}}])");
}

TEST(ReviewEncode, ValidateNeverCarriesPatchFields) {
  nlohmann::json r = encode(ReviewVersion::kV1, Endpoint::kValidate, withPatch())["response"];
  EXPECT_FALSE(r.contains("patch"));
  EXPECT_FALSE(r.contains("patchType"));
}

TEST(ReviewEncode, EmptyPatchIsOmittedOnMutate) {
  nlohmann::json r = encode(ReviewVersion::kV1, Endpoint::kMutate, Decision())["response"];
  EXPECT_FALSE(r.contains("patch"));
  EXPECT_FALSE(r.contains("patchType"));
}

TEST(ReviewEncode, DeniedMutationCarriesNoPatch) {
  Decision d = withPatch();
  d.deny(403, "Forbidden", "no");
  nlohmann::json r = encode(ReviewVersion::kV1, Endpoint::kMutate, d)["response"];
  EXPECT_FALSE(r.contains("patch"));
}

TEST(ReviewEncode, WarningsAreSanitizedAndCapped) {
  Decision d;
  d.warn("line one\nline two\x01");
  for (int i = 0; i < 40; ++i) d.warn(std::string(1, 'w').append(std::to_string(i)));
  nlohmann::json w = encode(ReviewVersion::kV1, Endpoint::kValidate, d)["response"]["warnings"];
  ASSERT_EQ(w.size(), kMaxWarnings);
  EXPECT_EQ(w[0], "line one line two");
}

TEST(ReviewEncode, WarningsThatSanitizeToNothingAreDropped) {
  Decision d;
  d.warn("\x01\x02");
  d.warn("kept");
  nlohmann::json w = encode(ReviewVersion::kV1, Endpoint::kValidate, d)["response"]["warnings"];
  EXPECT_EQ(w, nlohmann::json::parse(R"(["kept"])"));
}

TEST(SanitizeWarning, ShortAsciiIsUnchanged) { EXPECT_EQ(sanitizeWarning("use 1g.10gb"), "use 1g.10gb"); }

TEST(SanitizeWarning, ControlCharactersAreRemoved) {
  EXPECT_EQ(sanitizeWarning("a\x07"
                            "b\x7f"
                            "c"),
            "abc");
  EXPECT_EQ(sanitizeWarning("a\xc2\x85"
                            "b"),
            "ab");  // C1 NEL
  EXPECT_EQ(sanitizeWarning("a\tb\r\nc"), "a b  c");
}

TEST(SanitizeWarning, InvalidUtf8IsReplaced) {
  EXPECT_EQ(sanitizeWarning("a\xff"
                            "b"),
            "a\xEF\xBF\xBD"
            "b");
  EXPECT_EQ(sanitizeWarning("\xc0\xaf"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // overlong '/'
  EXPECT_EQ(sanitizeWarning("\xed\xa0\x80"), "\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD");  // surrogate
  EXPECT_EQ(sanitizeWarning("\xe2\x82"), "\xEF\xBF\xBD\xEF\xBF\xBD");                  // truncated sequence
}

TEST(SanitizeWarning, LongTextIsCutTo120CharactersOnACodePointBoundary) {
  std::string text;
  for (int i = 0; i < 200; ++i) text += "\xC3\xA9";  // é, two bytes each
  std::string out = sanitizeWarning(text);
  // 119 é + "…"
  std::string expected;
  for (int i = 0; i < 119; ++i) expected += "\xC3\xA9";
  expected += "\xE2\x80\xA6";
  EXPECT_EQ(out, expected);
}

TEST(SanitizeWarning, ExactlyMaxLengthIsNotCut) {
  std::string text(kMaxWarningChars, 'x');
  EXPECT_EQ(sanitizeWarning(text), text);
  EXPECT_EQ(sanitizeWarning(text + "y").size(), kMaxWarningChars - 1 + 3);
}

TEST(AuditAnnotations, ValidKeysAreEncodedInvalidOnesDropped) {
  Decision d;
  d.annotate("profile", "1g.10gb");
  d.annotate("invalid*key", "x");
  d.annotate("has/slash", "x");
  d.annotate("-leading", "x");
  d.annotate(std::string(64, 'a'), "x");
  d.annotate("profile", "second value is ignored");
  d.annotate("ledger.reservation_id", "r-1");
  nlohmann::json a = encode(ReviewVersion::kV1, Endpoint::kValidate, d)["response"]["auditAnnotations"];
  EXPECT_EQ(a, nlohmann::json::parse(R"({"profile":"1g.10gb","ledger.reservation_id":"r-1"})"));
}

TEST(AuditAnnotations, OnlyInvalidKeysMeansNoField) {
  Decision d;
  d.annotate("bad key", "x");
  nlohmann::json r = encode(ReviewVersion::kV1, Endpoint::kValidate, d)["response"];
  EXPECT_FALSE(r.contains("auditAnnotations"));
}

TEST(AuditAnnotations, KeyRules) {
  EXPECT_TRUE(isValidAuditAnnotationKey("a"));
  EXPECT_TRUE(isValidAuditAnnotationKey("A-b_c.d9"));
  EXPECT_TRUE(isValidAuditAnnotationKey(std::string(63, 'a')));
  EXPECT_FALSE(isValidAuditAnnotationKey(""));
  EXPECT_FALSE(isValidAuditAnnotationKey("a."));
  EXPECT_FALSE(isValidAuditAnnotationKey("a/b"));
  EXPECT_FALSE(isValidAuditAnnotationKey("é"));
}

}  // namespace
}  // namespace migwarden::admission
