// Spec: decoding AdmissionReview v1/v1beta1 envelopes and requests.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.h"
#include "webhook/admission/review.h"

namespace migwarden::admission {
namespace {

using migwarden::testing::readFixture;

// The upstream fixture with its placeholder operation replaced by a real one.
std::string upstreamReview(const std::string& file, const std::string& operation = "UPDATE") {
  nlohmann::json j = nlohmann::json::parse(readFixture("k8s-api/" + file));
  j["request"]["operation"] = operation;
  return j.dump();
}

std::string withChange(const std::string& fixture, const std::function<void(nlohmann::json&)>& change) {
  nlohmann::json j = nlohmann::json::parse(readFixture(fixture));
  change(j);
  return j.dump();
}

TEST(ReviewDecode, GpuPodCreateFixtureDecodesEveryRequestField) {
  Result<AdmissionReview> r = decodeAdmissionReview(readFixture("admission/gpu-pod-create.json"));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  const AdmissionRequest& req = r->request;
  EXPECT_EQ(r->version, ReviewVersion::kV1);
  EXPECT_EQ(req.uid, "7f0b2a4e-3c1d-4f6a-9b8e-2d5c6a7e8f90");
  EXPECT_EQ(req.kind.group, "");
  EXPECT_EQ(req.kind.version, "v1");
  EXPECT_EQ(req.kind.kind, "Pod");
  EXPECT_EQ(req.resource.resource, "pods");
  EXPECT_EQ(req.subResource, "");
  ASSERT_TRUE(req.requestKind.has_value());
  EXPECT_EQ(req.requestKind->kind, "Pod");
  ASSERT_TRUE(req.requestResource.has_value());
  EXPECT_EQ(req.requestResource->resource, "pods");
  EXPECT_EQ(req.name, "");  // generateName: the name does not exist yet
  EXPECT_EQ(req.namespace_, "ml");
  EXPECT_EQ(req.operation, Operation::kCreate);
  EXPECT_EQ(req.userInfo.username, "system:serviceaccount:ml:trainer");
  EXPECT_EQ(req.userInfo.groups.size(), 3u);
  ASSERT_EQ(req.userInfo.extra.count("authentication.kubernetes.io/credential-id"), 1u);
  ASSERT_NE(req.object, nullptr);
  EXPECT_TRUE(req.object->IsObject());
  EXPECT_EQ(req.oldObject, nullptr);  // JSON null on CREATE
  ASSERT_NE(req.options, nullptr);
  EXPECT_FALSE(req.dryRun);
}

TEST(ReviewDecode, V1beta1EnvelopeIsRecognised) {
  Result<AdmissionReview> r = decodeAdmissionReview(readFixture("admission/gpu-pod-create-v1beta1.json"));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->version, ReviewVersion::kV1beta1);
  EXPECT_EQ(reviewApiVersion(r->version), "admission.k8s.io/v1beta1");
}

TEST(ReviewDecode, UpstreamV1FixtureDecodesOnceOperationIsReal) {
  Result<AdmissionReview> r = decodeAdmissionReview(upstreamReview("admission.k8s.io.v1.AdmissionReview.json"));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->request.uid, "uidValue");
  EXPECT_EQ(r->request.subResource, "subResourceValue");
  EXPECT_EQ(r->request.requestSubResource, "requestSubResourceValue");
  EXPECT_EQ(r->request.userInfo.extra.at("extraKey"), std::vector<std::string>{"extraValue"});
  EXPECT_NE(r->request.oldObject, nullptr);
  EXPECT_TRUE(r->request.dryRun);
  EXPECT_EQ(r->request.operation, Operation::kUpdate);
}

TEST(ReviewDecode, UpstreamV1beta1FixtureDecodesOnceOperationIsReal) {
  Result<AdmissionReview> r =
      decodeAdmissionReview(upstreamReview("admission.k8s.io.v1beta1.AdmissionReview.json", "DELETE"));
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->version, ReviewVersion::kV1beta1);
  EXPECT_EQ(r->request.operation, Operation::kDelete);
}

TEST(ReviewDecode, PlaceholderOperationIsAClearError) {
  Result<AdmissionReview> r = decodeAdmissionReview(readFixture("k8s-api/admission.k8s.io.v1.AdmissionReview.json"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "request.operation: unknown operation \"operationValue\" (want CREATE, UPDATE, DELETE or CONNECT)");
}

TEST(ReviewDecode, EveryKubernetesOperationIsAccepted) {
  for (const char* op : {"CREATE", "UPDATE", "DELETE", "CONNECT"}) {
    Result<AdmissionReview> r = decodeAdmissionReview(upstreamReview("admission.k8s.io.v1.AdmissionReview.json", op));
    ASSERT_TRUE(r.ok()) << op;
    EXPECT_EQ(operationName(r->request.operation), op);
  }
}

TEST(ReviewDecode, LowerCaseOperationIsRejected) {
  Result<AdmissionReview> r =
      decodeAdmissionReview(upstreamReview("admission.k8s.io.v1.AdmissionReview.json", "create"));
  EXPECT_FALSE(r.ok());
}

TEST(ReviewDecode, MissingUidNamesTheField) {
  Result<AdmissionReview> r = decodeAdmissionReview(readFixture("admission/missing-uid.json"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "request.uid: required");
}

TEST(ReviewDecode, EmptyUidIsTreatedAsMissing) {
  Result<AdmissionReview> r = decodeAdmissionReview(
      withChange("admission/gpu-pod-create.json", [](nlohmann::json& j) { j["request"]["uid"] = ""; }));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "request.uid: required");
}

TEST(ReviewDecode, NonStringUidIsATypeError) {
  Result<AdmissionReview> r = decodeAdmissionReview(
      withChange("admission/gpu-pod-create.json", [](nlohmann::json& j) { j["request"]["uid"] = 42; }));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "request.uid: expected string, got number");
}

TEST(ReviewDecode, UnknownApiVersionIsRejectedWithTheVersion) {
  Result<AdmissionReview> r = decodeAdmissionReview(readFixture("admission/unknown-api-version.json"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(),
            "apiVersion: unsupported \"admission.k8s.io/v2\" (want admission.k8s.io/v1 or admission.k8s.io/v1beta1)");
}

TEST(ReviewDecode, WrongKindIsRejected) {
  Result<AdmissionReview> r = decodeAdmissionReview(
      withChange("admission/gpu-pod-create.json", [](nlohmann::json& j) { j["kind"] = "ConversionReview"; }));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "kind: expected \"AdmissionReview\", got \"ConversionReview\"");
}

TEST(ReviewDecode, MissingRequestIsRejected) {
  Result<AdmissionReview> r = decodeAdmissionReview(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "request: required");
}

TEST(ReviewDecode, NullRequestCountsAsMissing) {
  Result<AdmissionReview> r =
      decodeAdmissionReview(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":null})");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "request: required");
}

TEST(ReviewDecode, MalformedJsonNamesTheOffset) {
  Result<AdmissionReview> r = decodeAdmissionReview(R"({"apiVersion": "admission.k8s.io/v1",)");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("invalid JSON at offset"), std::string::npos) << r.status().message();
}

TEST(ReviewDecode, EmptyBodyIsMalformedJson) {
  Result<AdmissionReview> r = decodeAdmissionReview("");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("invalid JSON at offset 0"), std::string::npos) << r.status().message();
}

TEST(ReviewDecode, TopLevelArrayIsRejected) {
  Result<AdmissionReview> r = decodeAdmissionReview("[]");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "(root): expected object, got array");
}

TEST(ReviewDecode, ObjectThatIsNotAnObjectNamesThePath) {
  Result<AdmissionReview> r = decodeAdmissionReview(
      withChange("admission/gpu-pod-create.json", [](nlohmann::json& j) { j["request"]["object"] = "pod"; }));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "request.object: expected object, got string");
}

TEST(ReviewDecode, NonStringGroupNamesTheIndex) {
  Result<AdmissionReview> r = decodeAdmissionReview(withChange(
      "admission/gpu-pod-create.json", [](nlohmann::json& j) { j["request"]["userInfo"]["groups"][1] = true; }));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "request.userInfo.groups[1]: expected string, got boolean");
}

TEST(ReviewDecode, MissingKindIsRejected) {
  Result<AdmissionReview> r = decodeAdmissionReview(
      withChange("admission/gpu-pod-create.json", [](nlohmann::json& j) { j["request"].erase("kind"); }));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "request.kind: required");
}

TEST(ReviewDecode, ReviewStaysValidAfterMove) {
  Result<AdmissionReview> r = decodeAdmissionReview(readFixture("admission/gpu-pod-create.json"));
  ASSERT_TRUE(r.ok());
  AdmissionReview moved = std::move(r).value();
  ASSERT_NE(moved.request.object, nullptr);
  EXPECT_TRUE(moved.request.object->HasMember("spec"));
}

}  // namespace
}  // namespace migwarden::admission

namespace migwarden::admission {
namespace {

TEST(ReviewDecode, EchoedValuesAreCutAndCleanedInErrors) {
  std::string longVersion(5000, 'v');
  Result<AdmissionReview> r = decodeAdmissionReview(
      withChange("admission/gpu-pod-create.json", [&](nlohmann::json& j) { j["apiVersion"] = longVersion; }));
  ASSERT_FALSE(r.ok());
  EXPECT_LT(r.status().message().size(), 200u);
  EXPECT_NE(r.status().message().find("vvv\xE2\x80\xA6\""), std::string::npos) << r.status().message();

  Result<AdmissionReview> op = decodeAdmissionReview(withChange(
      "admission/gpu-pod-create.json", [](nlohmann::json& j) { j["request"]["operation"] = "CRE\nATE\x01"; }));
  ASSERT_FALSE(op.ok());
  EXPECT_EQ(op.status().message(),
            "request.operation: unknown operation \"CRE ATE\" (want CREATE, UPDATE, DELETE or CONNECT)");
}

}  // namespace
}  // namespace migwarden::admission
