// Spec: the JSON Patch builder. Every patch is applied with an independent RFC 6902
// implementation (nlohmann::json::patch) to the ORIGINAL object, as the apiserver does.
#include "webhook/admission/json_patch.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <nlohmann/json.hpp>

namespace migwarden::admission {
namespace {

rapidjson::Document parse(const std::string& text) {
  rapidjson::Document doc;
  doc.Parse(text.data(), text.size());
  return doc;
}

nlohmann::json applyPatch(const std::string& original, const JsonPatch& patch) {
  return nlohmann::json::parse(original).patch(nlohmann::json::parse(patch.toJson()));
}

// A small sample mutation, as a rule would write it: set an annotation and a label.
JsonPatch annotateGpuPod(const rapidjson::Value& pod) {
  JsonPatch patch;
  EXPECT_TRUE(
      patch.setString(pod, JsonPointer::of({"metadata", "annotations"}), "migwarden.io/profile", "1g.10gb").ok());
  EXPECT_TRUE(patch.setString(pod, JsonPointer::of({"metadata", "labels"}), "migwarden.io/managed", "true").ok());
  return patch;
}

TEST(JsonPointer, EscapesTildeBeforeSlash) {
  EXPECT_EQ(JsonPointer::escapeToken("a/b"), "a~1b");
  EXPECT_EQ(JsonPointer::escapeToken("a~b"), "a~0b");
  EXPECT_EQ(JsonPointer::escapeToken("~/"), "~0~1");
  EXPECT_EQ(JsonPointer::escapeToken("~1"), "~01");  // not "~1" read back as "/"
  EXPECT_EQ(JsonPointer::escapeToken(""), "");
}

TEST(JsonPointer, BuildsPathsFromUnescapedTokens) {
  EXPECT_EQ(JsonPointer().str(), "");
  EXPECT_EQ(JsonPointer::of({"metadata", "annotations", "nvidia.com/mig"}).str(),
            "/metadata/annotations/nvidia.com~1mig");
  EXPECT_EQ(JsonPointer::of({"spec", "containers"}).index(2).child("env").append().str(), "/spec/containers/2/env/-");
}

TEST(JsonPointer, ResolvesObjectsAndArrayIndexes) {
  rapidjson::Document doc = parse(R"({"a":{"b/c":[10,20]}})");
  const rapidjson::Value* v = resolve(doc, JsonPointer::of({"a", "b/c"}).index(1));
  ASSERT_NE(v, nullptr);
  EXPECT_EQ(v->GetInt(), 20);
  EXPECT_EQ(resolve(doc, JsonPointer::of({"a", "b/c"}).index(2)), nullptr);
  EXPECT_EQ(resolve(doc, JsonPointer::of({"a", "b/c", "01"})), nullptr);
  EXPECT_EQ(resolve(doc, JsonPointer::of({"x"})), nullptr);
}

TEST(JsonPatch, EmptyPatchSerializesToEmptyArray) {
  JsonPatch patch;
  EXPECT_TRUE(patch.empty());
  EXPECT_EQ(patch.toJson(), "[]");
}

TEST(JsonPatch, SerializesAllFourOperations) {
  JsonPatch patch;
  patch.test(JsonPointer::of({"a"}), "1");
  patch.replace(JsonPointer::of({"a"}), "2");
  patch.add(JsonPointer::of({"b"}), jsonStringLiteral("x\"y"));
  patch.remove(JsonPointer::of({"c"}));
  EXPECT_EQ(patch.toJson(), R"([{"op":"test","path":"/a","value":1},{"op":"replace","path":"/a","value":2},)"
                            R"({"op":"add","path":"/b","value":"x\"y"},{"op":"remove","path":"/c"}])");
  nlohmann::json out = applyPatch(R"({"a":1,"c":true})", patch);
  EXPECT_EQ(out, nlohmann::json::parse(R"({"a":2,"b":"x\"y"})"));
}

TEST(JsonPatch, AddingAnAnnotationCreatesTheMissingMapFirst) {
  std::string original = R"({"metadata":{"name":"p"},"spec":{}})";
  rapidjson::Document doc = parse(original);
  JsonPatch patch;
  ASSERT_TRUE(patch.setString(doc, JsonPointer::of({"metadata", "annotations"}), "nvidia.com/mig", "1g").ok());
  EXPECT_EQ(patch.toJson(), R"([{"op":"add","path":"/metadata/annotations","value":{}},)"
                            R"({"op":"add","path":"/metadata/annotations/nvidia.com~1mig","value":"1g"}])");
  EXPECT_EQ(applyPatch(original, patch)["metadata"]["annotations"]["nvidia.com/mig"], "1g");
}

TEST(JsonPatch, MissingMetadataIsCreatedLevelByLevel) {
  std::string original = R"({"spec":{}})";
  rapidjson::Document doc = parse(original);
  JsonPatch patch;
  ASSERT_TRUE(patch.setString(doc, JsonPointer::of({"metadata", "labels"}), "a", "b").ok());
  ASSERT_TRUE(patch.setString(doc, JsonPointer::of({"metadata", "labels"}), "c", "d").ok());
  EXPECT_EQ(patch.size(), 4u);  // metadata, labels, a, c: each parent added once
  EXPECT_EQ(applyPatch(original, patch),
            nlohmann::json::parse(R"({"spec":{},"metadata":{"labels":{"a":"b","c":"d"}}})"));
}

TEST(JsonPatch, NullMapIsReplacedByAnObject) {
  std::string original = R"({"metadata":{"annotations":null}})";
  rapidjson::Document doc = parse(original);
  JsonPatch patch;
  ASSERT_TRUE(patch.setString(doc, JsonPointer::of({"metadata", "annotations"}), "k", "v").ok());
  EXPECT_EQ(applyPatch(original, patch)["metadata"]["annotations"]["k"], "v");
}

TEST(JsonPatch, ExistingDifferentValueIsReplaced) {
  std::string original = R"({"metadata":{"annotations":{"k":"old"}}})";
  rapidjson::Document doc = parse(original);
  JsonPatch patch;
  ASSERT_TRUE(patch.setString(doc, JsonPointer::of({"metadata", "annotations"}), "k", "new").ok());
  EXPECT_EQ(patch.toJson(), R"([{"op":"replace","path":"/metadata/annotations/k","value":"new"}])");
  EXPECT_EQ(applyPatch(original, patch)["metadata"]["annotations"]["k"], "new");
}

TEST(JsonPatch, ExistingEqualValueNeedsNoOperation) {
  rapidjson::Document doc = parse(R"({"metadata":{"annotations":{"k":"v"}}})");
  JsonPatch patch;
  ASSERT_TRUE(patch.setString(doc, JsonPointer::of({"metadata", "annotations"}), "k", "v").ok());
  EXPECT_TRUE(patch.empty());
}

TEST(JsonPatch, KeysWithSlashAndTildeRoundTripThroughAnIndependentImplementation) {
  std::string original = R"({"metadata":{"annotations":{"a~b/c":"old"}}})";
  rapidjson::Document doc = parse(original);
  JsonPatch patch;
  ASSERT_TRUE(patch.setString(doc, JsonPointer::of({"metadata", "annotations"}), "a~b/c", "new").ok());
  ASSERT_TRUE(patch.setString(doc, JsonPointer::of({"metadata", "annotations"}), "~1", "tilde-one").ok());
  nlohmann::json out = applyPatch(original, patch);
  EXPECT_EQ(out["metadata"]["annotations"]["a~b/c"], "new");
  EXPECT_EQ(out["metadata"]["annotations"]["~1"], "tilde-one");
  EXPECT_EQ(out["metadata"]["annotations"].size(), 2u);
}

TEST(JsonPatch, EnsureObjectRefusesToWalkThroughAScalar) {
  rapidjson::Document doc = parse(R"({"metadata":"oops"})");
  JsonPatch patch;
  Status st = patch.ensureObject(doc, JsonPointer::of({"metadata", "annotations"}));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "/metadata: exists and is not an object");
}

TEST(JsonPatch, ApplyingTheSampleMutationTwiceYieldsNoNewPatch) {
  std::string original = R"({"metadata":{"name":"train","annotations":{"migwarden.io/cuda-version":"12.4"}},)"
                         R"("spec":{"containers":[{"name":"train"}]}})";
  rapidjson::Document first = parse(original);
  JsonPatch patch = annotateGpuPod(first);
  ASSERT_FALSE(patch.empty());
  nlohmann::json once = applyPatch(original, patch);
  EXPECT_EQ(once["metadata"]["annotations"]["migwarden.io/profile"], "1g.10gb");
  EXPECT_EQ(once["metadata"]["labels"]["migwarden.io/managed"], "true");

  std::string mutated = once.dump();
  rapidjson::Document second = parse(mutated);
  JsonPatch again = annotateGpuPod(second);
  EXPECT_TRUE(again.empty()) << again.toJson();
}

TEST(JsonPatch, AppendKeepsOrderAndCreatedParents) {
  std::string original = R"({})";
  rapidjson::Document doc = parse(original);
  JsonPatch a;
  ASSERT_TRUE(a.setString(doc, JsonPointer::of({"metadata", "labels"}), "x", "1").ok());
  JsonPatch b;
  b.append(a);
  ASSERT_TRUE(b.setString(doc, JsonPointer::of({"metadata", "labels"}), "y", "2").ok());
  EXPECT_EQ(applyPatch(original, b), nlohmann::json::parse(R"({"metadata":{"labels":{"x":"1","y":"2"}}})"));
}

}  // namespace
}  // namespace migwarden::admission
