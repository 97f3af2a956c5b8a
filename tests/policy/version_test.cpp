#include "webhook/policy/version.h"

#include <gtest/gtest.h>

namespace migwarden::policy {
namespace {

Version v(const char* text) { return *Version::parse(text); }

TEST(Version, ParsesCudaToolkitVersions) {
  EXPECT_EQ(v("12.4").size(), 2u);
  EXPECT_EQ(v("12.4.1").patch(), 1u);
  EXPECT_EQ(v("12").major(), 12u);
}

TEST(Version, ParsesDriverVersionsAndKeepsZeroPadding) {
  Version d = v("550.54.15");
  EXPECT_EQ(d.major(), 550u);
  EXPECT_EQ(d.minor(), 54u);
  EXPECT_EQ(v("535.104.05").toString(), "535.104.05");
  EXPECT_EQ(v("580.65.06").toString(), "580.65.06");
}

TEST(Version, ComparesNumericallyPerComponent) {
  EXPECT_LT(v("535.54.03"), v("535.104.05"));  // 54 < 104, not string order
  EXPECT_LT(v("12.4"), v("12.10"));
  EXPECT_GT(v("550.54.15"), v("550.54.14"));
}

TEST(Version, MissingComponentsCountAsZero) {
  EXPECT_EQ(v("12.4"), v("12.4.0"));
  EXPECT_LT(v("12.4"), v("12.4.1"));
  EXPECT_EQ(v("570.26"), v("570.26.0"));
}

TEST(Version, PaddedAndUnpaddedComponentsAreEqual) { EXPECT_EQ(v("535.104.05"), v("535.104.5")); }

TEST(Version, TruncatesToMajorMinor) { EXPECT_EQ(v("12.4.1").truncated(2).toString(), "12.4"); }

TEST(Version, RejectsMalformedText) {
  for (const char* bad : {"", ".", "12.", ".4", "12..4", "v12.4", "12.4-rc1", "1.2.3.4.5", " 12.4", "-1", "1234567890"}) {
    EXPECT_FALSE(Version::parse(bad).ok()) << bad;
  }
}

TEST(Version, ErrorNamesTheText) {
  auto r = Version::parse("12.x");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("12.x"), std::string::npos);
}

}  // namespace
}  // namespace migwarden::policy
