// Spec: bad input never crashes the codec. Every truncation of a real review is a 400,
// and replacing any field of the GPU pod review with a value of another JSON type gives
// either a clean decode or an error naming a path, never a crash.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.h"
#include "webhook/admission/pipeline.h"
#include "webhook/admission/review_service.h"

namespace migwarden::admission {
namespace {

using migwarden::testing::readFixture;

HttpRequest post(std::string body) {
  HttpRequest r;
  r.method = "POST";
  r.headers.emplace_back("content-type", "application/json");
  r.body = std::move(body);
  return r;
}

// Calls visit(pointer) for every value in the document (objects, arrays and leaves).
void forEachPointer(const nlohmann::json& j, const nlohmann::json::json_pointer& at,
                    const std::function<void(const nlohmann::json::json_pointer&)>& visit) {
  visit(at);
  if (j.is_object()) {
    for (const auto& [k, v] : j.items()) forEachPointer(v, at / k, visit);
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i) forEachPointer(j[i], at / i, visit);
  }
}

TEST(Robustness, EveryTruncationOfAReviewIsA400) {
  std::unique_ptr<AdmissionService> service = makeReviewService({});
  std::string full = nlohmann::json::parse(readFixture("admission/gpu-pod-create.json")).dump();
  for (size_t n = 0; n < full.size(); ++n) {
    AdmissionResult r = service->handle(Endpoint::kMutate, post(full.substr(0, n)));
    ASSERT_EQ(r.http.status, 400) << "prefix of " << n << " bytes";
    ASSERT_EQ(r.decision, "invalid");
  }
  EXPECT_EQ(service->handle(Endpoint::kMutate, post(full)).http.status, 200);
}

TEST(Robustness, AnyFieldReplacedByAnotherTypeDecodesOrNamesAPath) {
  const nlohmann::json original = nlohmann::json::parse(readFixture("admission/gpu-pod-create.json"));
  const nlohmann::json replacements[] = {
      nullptr, 7, -1.5, "x", true, nlohmann::json::array(), nlohmann::json::object()};
  size_t variants = 0;
  forEachPointer(original, nlohmann::json::json_pointer(), [&](const nlohmann::json::json_pointer& p) {
    if (p.empty()) return;
    for (const nlohmann::json& value : replacements) {
      nlohmann::json changed = original;
      changed[p] = value;
      Result<AdmissionReview> review = decodeAdmissionReview(changed.dump());
      ++variants;
      if (!review.ok()) {
        ASSERT_EQ(review.status().code(), StatusCode::kInvalidArgument) << p.to_string();
        ASSERT_FALSE(review.status().message().empty());
        continue;
      }
      ReviewContext context(*review, Endpoint::kMutate);
      if (!context.isPod() || review->request.object == nullptr) continue;
      Result<const Pod*> pod = context.pod();
      if (!pod.ok()) {
        ASSERT_EQ(pod.status().code(), StatusCode::kInvalidArgument) << p.to_string();
        ASSERT_EQ(pod.status().message().rfind("request.object", 0), 0u)
            << p.to_string() << ": " << pod.status().message();
      }
    }
  });
  EXPECT_GT(variants, 300u);
}

}  // namespace
}  // namespace migwarden::admission
