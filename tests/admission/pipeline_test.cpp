// Spec: the rule pipeline and the lazily decoded views in ReviewContext.
#include "webhook/admission/pipeline.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/temp_dir.h"

namespace migwarden::admission {
namespace {

using migwarden::testing::readFixture;

// A rule assembled from a lambda, for tests.
class LambdaRule : public Rule {
 public:
  using Fn = std::function<Status(const ReviewContext&, Decision&)>;
  LambdaRule(std::string id, Fn fn) : id_(std::move(id)), fn_(std::move(fn)) {}
  std::string_view id() const override { return id_; }
  Status evaluate(const ReviewContext& c, Decision& d) const override { return fn_(c, d); }

 private:
  std::string id_;
  Fn fn_;
};

RulePipeline pipelineOf(std::vector<std::pair<std::string, LambdaRule::Fn>> rules) {
  std::vector<std::unique_ptr<const Rule>> list;
  for (auto& [id, fn] : rules) list.push_back(std::make_unique<LambdaRule>(id, fn));
  return RulePipeline(std::move(list));
}

AdmissionReview review(const std::string& fixture) {
  Result<AdmissionReview> r = decodeAdmissionReview(readFixture(fixture));
  EXPECT_TRUE(r.ok()) << r.status().toString();
  return std::move(r).value();
}

TEST(RulePipeline, EmptyPipelineAllowsWithoutPatch) {
  AdmissionReview r = review("admission/gpu-pod-create.json");
  Decision d = RulePipeline().run(ReviewContext(r, Endpoint::kMutate));
  EXPECT_TRUE(d.allowed);
  EXPECT_TRUE(d.patch.empty());
  EXPECT_TRUE(d.warnings.empty());
}

TEST(RulePipeline, RulesRunInOrderAndAccumulate) {
  AdmissionReview r = review("admission/gpu-pod-create.json");
  RulePipeline p = pipelineOf({
      {"a",
       [](const ReviewContext&, Decision& d) {
         d.warn("from a");
         d.annotate("a", "1");
         return Status::Ok();
       }},
      {"b",
       [](const ReviewContext&, Decision& d) {
         d.warn("from b");
         return Status::Ok();
       }},
  });
  Decision d = p.run(ReviewContext(r, Endpoint::kValidate));
  EXPECT_TRUE(d.allowed);
  EXPECT_EQ(d.warnings, (std::vector<std::string>{"from a", "from b"}));
  EXPECT_EQ(d.auditAnnotations.size(), 1u);
}

TEST(RulePipeline, AnyDenialDeniesAndDropsThePatch) {
  AdmissionReview r = review("admission/gpu-pod-create.json");
  RulePipeline p = pipelineOf({
      {"mutator",
       [](const ReviewContext& c, Decision& d) {
         return d.patch.setString(*c.request().object, JsonPointer::of({"metadata", "labels"}), "x", "y");
       }},
      {"denier",
       [](const ReviewContext&, Decision& d) {
         d.deny(403, "Forbidden", "no");
         return Status::Ok();
       }},
  });
  Decision d = p.run(ReviewContext(r, Endpoint::kMutate));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.code, 403);
  EXPECT_TRUE(d.patch.empty());
}

TEST(RulePipeline, PatchIsKeptOnMutateAndDroppedOnValidate) {
  AdmissionReview r = review("admission/gpu-pod-create.json");
  RulePipeline p =
      pipelineOf({{"mutator", [](const ReviewContext& c, Decision& d) {
                     return d.patch.setString(*c.request().object, JsonPointer::of({"metadata", "labels"}), "x", "y");
                   }}});
  EXPECT_FALSE(p.run(ReviewContext(r, Endpoint::kMutate)).patch.empty());
  EXPECT_TRUE(p.run(ReviewContext(r, Endpoint::kValidate)).patch.empty());
}

TEST(RulePipeline, RuleErrorOnBadInputDeniesWith400NamingTheRule) {
  AdmissionReview r = review("admission/gpu-pod-create.json");
  RulePipeline p = pipelineOf({{"gpu-count", [](const ReviewContext&, Decision&) {
                                  return Status::InvalidArgument("container \"train\": 500m is not whole");
                                }}});
  Decision d = p.run(ReviewContext(r, Endpoint::kValidate));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.code, 400);
  EXPECT_EQ(d.reason, "BadRequest");
  EXPECT_EQ(d.message, "gpu-count: container \"train\": 500m is not whole");
}

TEST(RulePipeline, InternalRuleErrorDeniesWith500) {
  AdmissionReview r = review("admission/gpu-pod-create.json");
  RulePipeline p =
      pipelineOf({{"ledger", [](const ReviewContext&, Decision&) { return Status::Unavailable("down"); }}});
  Decision d = p.run(ReviewContext(r, Endpoint::kValidate));
  EXPECT_FALSE(d.allowed);
  EXPECT_EQ(d.code, 500);
}

TEST(ReviewContext, PodViewIsDecodedOnceAndCached) {
  AdmissionReview r = review("admission/gpu-pod-create.json");
  ReviewContext c(r, Endpoint::kValidate);
  EXPECT_TRUE(c.isPod());
  EXPECT_FALSE(c.isBinding());
  Result<const Pod*> first = c.pod();
  ASSERT_TRUE(first.ok()) << first.status().toString();
  EXPECT_EQ((*first)->containers[0].name, "train");
  EXPECT_EQ(*c.pod(), *first);
  EXPECT_FALSE(c.binding().ok());
  Result<const Pod*> old = c.oldPod();
  ASSERT_FALSE(old.ok());
  EXPECT_EQ(old.status().message(), "request.oldObject: required");
}

TEST(ReviewContext, BindingViewForPodsBinding) {
  AdmissionReview r = review("admission/binding-create.json");
  ReviewContext c(r, Endpoint::kValidate);
  EXPECT_TRUE(c.isBinding());
  EXPECT_FALSE(c.isPod());
  Result<const Binding*> b = c.binding();
  ASSERT_TRUE(b.ok());
  EXPECT_EQ((*b)->target.name, "gpu-node-a100-03");
  EXPECT_EQ(c.pod().status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace migwarden::admission
