// Spec: the AdmissionService seen by the HTTP server (status codes, bodies, metrics).
#include "webhook/admission/review_service.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.h"
#include "webhook/admission/review_service_impl.h"

namespace migwarden::admission {
namespace {

using migwarden::testing::readFixture;

HttpRequest post(std::string body, std::string contentType = "application/json") {
  HttpRequest r;
  r.method = "POST";
  r.path = "/validate";
  if (!contentType.empty()) r.headers.emplace_back("content-type", std::move(contentType));
  r.body = std::move(body);
  return r;
}

nlohmann::json body(const AdmissionResult& r) { return nlohmann::json::parse(r.http.body); }

class ReviewServiceTest : public ::testing::Test {
 protected:
  MetricsRegistry metrics;
  std::unique_ptr<AdmissionService> service = makeReviewService({&metrics});

  uint64_t count(const char* endpoint, const char* decision) {
    return metrics.counter("migwarden_admission_reviews_total", "", {{"endpoint", endpoint}, {"decision", decision}})
        .value();
  }
};

TEST_F(ReviewServiceTest, GpuPodIsAllowedWhileTheRuleSetIsEmpty) {
  AdmissionResult r = service->handle(Endpoint::kValidate, post(readFixture("admission/gpu-pod-create.json")));
  EXPECT_EQ(r.http.status, 200);
  EXPECT_EQ(r.http.contentType, "application/json");
  EXPECT_EQ(r.decision, "allowed");
  nlohmann::json j = body(r);
  EXPECT_EQ(j["apiVersion"], "admission.k8s.io/v1");
  EXPECT_EQ(j["kind"], "AdmissionReview");
  EXPECT_EQ(j["response"]["uid"], "7f0b2a4e-3c1d-4f6a-9b8e-2d5c6a7e8f90");
  EXPECT_EQ(j["response"]["allowed"], true);
  EXPECT_EQ(count("validate", "allowed"), 1u);
}

TEST_F(ReviewServiceTest, MutateWithEmptyRuleSetReturnsNoPatch) {
  AdmissionResult r = service->handle(Endpoint::kMutate, post(readFixture("admission/gpu-pod-create.json")));
  ASSERT_EQ(r.http.status, 200);
  EXPECT_FALSE(body(r)["response"].contains("patch"));
  EXPECT_EQ(count("mutate", "allowed"), 1u);
}

TEST_F(ReviewServiceTest, ResponseApiVersionFollowsTheRequest) {
  AdmissionResult r = service->handle(Endpoint::kMutate, post(readFixture("admission/gpu-pod-create-v1beta1.json")));
  ASSERT_EQ(r.http.status, 200);
  EXPECT_EQ(body(r)["apiVersion"], "admission.k8s.io/v1beta1");
  EXPECT_EQ(body(r)["response"]["uid"], "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d");
}

TEST_F(ReviewServiceTest, BindingAndNonGpuPodAreAllowed) {
  for (const char* f : {"admission/binding-create.json", "admission/non-gpu-pod-create.json"}) {
    AdmissionResult r = service->handle(Endpoint::kValidate, post(readFixture(f)));
    EXPECT_EQ(r.http.status, 200) << f;
    EXPECT_EQ(r.decision, "allowed") << f;
  }
}

TEST_F(ReviewServiceTest, MissingUidIs400NamingTheField) {
  AdmissionResult r = service->handle(Endpoint::kValidate, post(readFixture("admission/missing-uid.json")));
  EXPECT_EQ(r.http.status, 400);
  EXPECT_EQ(r.decision, "invalid");
  EXPECT_EQ(body(r)["error"]["reason"], "BadRequest");
  EXPECT_EQ(body(r)["error"]["message"], "request.uid: required");
  EXPECT_EQ(count("validate", "invalid"), 1u);
}

TEST_F(ReviewServiceTest, UnknownApiVersionIs400) {
  AdmissionResult r = service->handle(Endpoint::kValidate, post(readFixture("admission/unknown-api-version.json")));
  EXPECT_EQ(r.http.status, 400);
  EXPECT_NE(body(r)["error"]["message"].get<std::string>().find("admission.k8s.io/v2"), std::string::npos);
}

TEST_F(ReviewServiceTest, MalformedJsonIs400WithOffset) {
  AdmissionResult r = service->handle(Endpoint::kValidate, post("{\"apiVersion\":"));
  EXPECT_EQ(r.http.status, 400);
  EXPECT_NE(body(r)["error"]["message"].get<std::string>().find("invalid JSON at offset 14"), std::string::npos)
      << r.http.body;
}

TEST_F(ReviewServiceTest, MissingRequestIs400) {
  AdmissionResult r =
      service->handle(Endpoint::kValidate, post(R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})"));
  EXPECT_EQ(r.http.status, 400);
  EXPECT_EQ(body(r)["error"]["message"], "request: required");
}

TEST_F(ReviewServiceTest, NonJsonContentTypeIs415) {
  AdmissionResult r =
      service->handle(Endpoint::kValidate, post(readFixture("admission/gpu-pod-create.json"), "text/plain"));
  EXPECT_EQ(r.http.status, 415);
  EXPECT_EQ(r.decision, "invalid");
  EXPECT_EQ(body(r)["error"]["reason"], "UnsupportedMediaType");
  EXPECT_EQ(body(r)["error"]["message"], "Content-Type must be application/json, got \"text/plain\"");
}

TEST_F(ReviewServiceTest, MissingContentTypeIs415) {
  AdmissionResult r = service->handle(Endpoint::kValidate, post(readFixture("admission/gpu-pod-create.json"), ""));
  EXPECT_EQ(r.http.status, 415);
  EXPECT_EQ(body(r)["error"]["message"], "Content-Type must be application/json, got none");
}

TEST_F(ReviewServiceTest, JsonContentTypeWithParametersIsAccepted) {
  for (const char* ct : {"application/json; charset=utf-8", "Application/JSON", " application/json ;charset=UTF-8"}) {
    AdmissionResult r = service->handle(Endpoint::kValidate, post(readFixture("admission/gpu-pod-create.json"), ct));
    EXPECT_EQ(r.http.status, 200) << ct;
  }
}

TEST_F(ReviewServiceTest, LookalikeContentTypesAreRejected) {
  for (const char* ct : {"application/jsonx", "application/json-patch+json", "text/json"}) {
    EXPECT_FALSE(isJsonContentType(ct)) << ct;
  }
}

TEST_F(ReviewServiceTest, NonPostIs405WithAllowHeader) {
  HttpRequest req = post(readFixture("admission/gpu-pod-create.json"));
  req.method = "GET";
  AdmissionResult r = service->handle(Endpoint::kValidate, req);
  EXPECT_EQ(r.http.status, 405);
  ASSERT_EQ(r.http.headers.size(), 1u);
  EXPECT_EQ(r.http.headers[0], (std::pair<std::string, std::string>{"Allow", "POST"}));
}

TEST_F(ReviewServiceTest, WorksWithoutMetrics) {
  std::unique_ptr<AdmissionService> bare = makeReviewService({});
  AdmissionResult r = bare->handle(Endpoint::kValidate, post(readFixture("admission/gpu-pod-create.json")));
  EXPECT_EQ(r.http.status, 200);
}

TEST_F(ReviewServiceTest, MetricsAreRenderedForPrometheus) {
  (void)service->handle(Endpoint::kValidate, post(readFixture("admission/gpu-pod-create.json")));
  std::string text = metrics.renderPrometheus();
  EXPECT_NE(text.find("migwarden_admission_reviews_total{endpoint=\"validate\",decision=\"allowed\"} 1"),
            std::string::npos)
      << text;
}

}  // namespace
}  // namespace migwarden::admission
