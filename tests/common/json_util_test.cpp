#include "webhook/common/json_util.h"

#include <gtest/gtest.h>

namespace migwarden::json {
namespace {

TEST(JsonParse, ErrorNamesOffsetLineAndColumn) {
  auto r = parse("{\n  \"a\": 1,\n  \"b\": }\n");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("line 3"), std::string::npos) << r.status().message();
}

TEST(JsonParse, CommentsOnlyWhenAllowed) {
  EXPECT_FALSE(parse("{/* c */ \"a\": 1}").ok());
  EXPECT_TRUE(parse("{/* c */ \"a\": 1} // end", {.allowComments = true}).ok());
}

TEST(JsonAccess, MissingRequiredFieldNamesThePath) {
  auto doc = parse(R"({"request":{}})");
  ASSERT_TRUE(doc.ok());
  auto r = requireString((*doc)["request"], "uid", "request");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "request.uid: required field is missing");
}

TEST(JsonAccess, WrongTypeNamesExpectedAndActual) {
  auto doc = parse(R"({"uid": 7})");
  auto r = requireString(*doc, "uid", "request");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "request.uid: expected string, got number");
}

TEST(JsonAccess, NullCountsAsAbsent) {
  auto doc = parse(R"({"object": null})");
  auto r = optionalObject(*doc, "object", "");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, nullptr);
}

TEST(JsonAccess, PathsJoin) {
  EXPECT_EQ(joinPath("", "a"), "a");
  EXPECT_EQ(joinPath("a", "b"), "a.b");
  EXPECT_EQ(joinIndex("spec.containers", 2), "spec.containers[2]");
}

}  // namespace
}  // namespace migwarden::json
