// Spec: the typed Binding view (pods/binding).
#include "webhook/admission/binding.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include "tests/support/temp_dir.h"
#include "webhook/admission/review.h"

namespace migwarden::admission {
namespace {

using migwarden::testing::readFixture;

TEST(BindingView, BindingCreateFixtureDecodes) {
  Result<AdmissionReview> review = decodeAdmissionReview(readFixture("admission/binding-create.json"));
  ASSERT_TRUE(review.ok()) << review.status().toString();
  EXPECT_EQ(review->request.subResource, "binding");
  Result<Binding> b = decodeBinding(*review->request.object, "request.object");
  ASSERT_TRUE(b.ok()) << b.status().toString();
  EXPECT_EQ(b->metadata.name, "train-x7k2p");
  EXPECT_EQ(b->metadata.namespace_, "ml");
  EXPECT_EQ(b->metadata.uid, "5b6c7d8e-9f0a-4b1c-8d2e-3f4a5b6c7d8e");
  EXPECT_EQ(b->target.kind, "Node");
  EXPECT_EQ(b->target.name, "gpu-node-a100-03");
}

TEST(BindingView, FullyPopulatedUpstreamBindingDecodes) {
  rapidjson::Document doc;
  std::string text = readFixture("k8s-api/core.v1.Binding.json");
  doc.Parse(text.data(), text.size());
  Result<Binding> b = decodeBinding(doc, "request.object");
  ASSERT_TRUE(b.ok()) << b.status().toString();
  EXPECT_EQ(b->target.name, "nameValue");
  EXPECT_EQ(b->target.namespace_, "namespaceValue");
  EXPECT_EQ(b->target.uid, "uidValue");
}

TEST(BindingView, MissingTargetIsRejected) {
  rapidjson::Document doc;
  doc.Parse(R"({"metadata":{"name":"p"}})");
  Result<Binding> b = decodeBinding(doc, "request.object");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().message(), "request.object.target: required");
}

TEST(BindingView, TargetWithoutNodeNameIsRejected) {
  rapidjson::Document doc;
  doc.Parse(R"({"target":{"kind":"Node"}})");
  Result<Binding> b = decodeBinding(doc, "request.object");
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().message(), "request.object.target.name: required");
}

}  // namespace
}  // namespace migwarden::admission
