#include "webhook/policy/require_cuda.h"

#include <gtest/gtest.h>

namespace migwarden::policy {
namespace {

Version v(const char* text) { return *Version::parse(text); }

constexpr const char* kOfficialImage =
    "cuda>=12.8 brand=unknown,driver>=470,driver<471 brand=grid,driver>=470,driver<471 "
    "brand=tesla,driver>=470,driver<471 brand=tesla,driver>=535,driver<536 brand=tesla,driver>=550,driver<551";

TEST(RequireCuda, ParsesTheOfficialImageExpression) {
  auto e = parseRequireExpression(kOfficialImage);
  ASSERT_TRUE(e.ok()) << e.status().toString();
  ASSERT_EQ(e->alternatives.size(), 6u);
  EXPECT_EQ(e->alternatives[0].size(), 1u);
  EXPECT_EQ(e->alternatives[4].size(), 3u);
  EXPECT_EQ(e->alternatives[4][0].property, RequireProperty::kBrand);
  EXPECT_EQ(e->alternatives[4][0].brand, "tesla");
  EXPECT_EQ(e->alternatives[4][2].op, CompareOp::kLt);
}

TEST(RequireCuda, DeclaredCudaIsTheFirstCudaFloor) {
  auto e = parseRequireExpression(kOfficialImage);
  ASSERT_TRUE(e.ok());
  ASSERT_TRUE(e->declaredCuda().has_value());
  EXPECT_EQ(e->declaredCuda()->toString(), "12.8");
}

TEST(RequireCuda, SpaceIsOrCommaIsAnd) {
  auto e = *parseRequireExpression(kOfficialImage);
  // A 12.8-capable driver satisfies the first alternative.
  EXPECT_TRUE(evaluateRequire(e, {v("12.8"), v("570.26"), v("9.0"), "tesla"}));
  // An older driver on a forward-compatible datacenter branch satisfies a brand clause.
  EXPECT_TRUE(evaluateRequire(e, {v("12.2"), v("535.104.05"), v("9.0"), "Tesla"}));
  // The same driver on a GeForce brand does not.
  EXPECT_FALSE(evaluateRequire(e, {v("12.2"), v("535.104.05"), v("9.0"), "geforce"}));
  // A driver outside every branch does not.
  EXPECT_FALSE(evaluateRequire(e, {v("12.3"), v("545.23.08"), v("9.0"), "tesla"}));
}

TEST(RequireCuda, EveryOperatorComparesNumerically) {
  RequireFacts f{v("12.4"), v("550.54.15"), v("8.0"), "nvidia"};
  EXPECT_TRUE(evaluateRequire(*parseRequireExpression("cuda=12.4"), f));
  EXPECT_TRUE(evaluateRequire(*parseRequireExpression("cuda!=12.3"), f));
  EXPECT_TRUE(evaluateRequire(*parseRequireExpression("driver<550.100"), f));
  EXPECT_TRUE(evaluateRequire(*parseRequireExpression("driver<=550.54.15"), f));
  EXPECT_TRUE(evaluateRequire(*parseRequireExpression("arch>7.5"), f));
  EXPECT_FALSE(evaluateRequire(*parseRequireExpression("arch>=9.0"), f));
  EXPECT_TRUE(evaluateRequire(*parseRequireExpression("brand!=geforce"), f));
}

TEST(RequireCuda, EmptyExpressionIsSatisfied) {
  auto e = parseRequireExpression("   ");
  ASSERT_TRUE(e.ok());
  EXPECT_TRUE(evaluateRequire(*e, {}));
  EXPECT_FALSE(e->declaredCuda().has_value());
}

TEST(RequireCuda, RejectsUnknownPropertiesLikeLibnvidiaContainer) {
  auto e = parseRequireExpression("cuda>=12.4 jetpack>=5");
  ASSERT_FALSE(e.ok());
  EXPECT_NE(e.status().message().find("unknown property \"jetpack\""), std::string::npos);
}

TEST(RequireCuda, RejectsMalformedConditions) {
  for (const char* bad : {"cuda", "cuda>=", ">=12", "cuda>=12.x", "cuda>=12,,driver>=1", "brand>=tesla", "cuda~12"}) {
    EXPECT_FALSE(parseRequireExpression(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace migwarden::policy
