// Spec: Kubernetes quantity parsing and whole-device counts.
#include "webhook/admission/quantity.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

namespace migwarden::admission {
namespace {

struct Case {
  const char* text;
  std::optional<int64_t> integer;  // nullopt: fractional
  int64_t milli;
};

TEST(Quantity, ParsesTheKubernetesGrammar) {
  const Case cases[] = {
      {"0", 0, 0},
      {"1", 1, 1000},
      {"2", 2, 2000},
      {"+3", 3, 3000},
      {"1e3", 1000, 1000000},
      {"1E3", 1000, 1000000},
      {"5e-1", std::nullopt, 500},
      {"500m", std::nullopt, 500},
      {"1000m", 1, 1000},
      {"1.5", std::nullopt, 1500},
      {"1.0", 1, 1000},
      {".5", std::nullopt, 500},
      {"2.", 2, 2000},
      {"1k", 1000, 1000000},
      {"1M", 1000000, 1000000000},
      {"1Ki", 1024, 1024000},
      {"16Gi", int64_t{16} << 30, (int64_t{16} << 30) * 1000},
      {"0.5Ki", 512, 512000},
      {"100n", std::nullopt, 1},  // milli rounds up, as Quantity.MilliValue does
      {"1u", std::nullopt, 1},
      {"007", 7, 7000},
      {"-1", -1, -1000},
  };
  for (const Case& c : cases) {
    Result<Quantity> q = Quantity::parse(c.text);
    ASSERT_TRUE(q.ok()) << c.text << ": " << q.status().toString();
    EXPECT_EQ(q->integerValue(), c.integer) << c.text;
    EXPECT_EQ(q->milliValue(), c.milli) << c.text;
    EXPECT_EQ(q->text(), c.text);
  }
}

TEST(Quantity, RejectsMalformedTextWithReason) {
  const std::pair<const char*, const char*> cases[] = {
      {"", "invalid quantity \"\": empty"},
      {"abc", "invalid quantity \"abc\": expected a number (e.g. 1, 500m, 2Gi)"},
      {"1x", "invalid quantity \"1x\": unknown suffix \"x\""},
      {"1 ", "invalid quantity \"1 \": unknown suffix \" \""},
      {"1e", "invalid quantity \"1e\": unknown suffix \"e\""},
      {"1Ki2", "invalid quantity \"1Ki2\": unknown suffix \"Ki2\""},
      {"1.2.3", "invalid quantity \"1.2.3\": more than one decimal point"},
      {"-", "invalid quantity \"-\": expected a number (e.g. 1, 500m, 2Gi)"},
      {"1234567890123456789", "invalid quantity \"1234567890123456789\": too many significant digits"},
      {"9999999999Ei", "invalid quantity \"9999999999Ei\": out of range"},
  };
  for (const auto& [text, message] : cases) {
    Result<Quantity> q = Quantity::parse(text);
    ASSERT_FALSE(q.ok()) << text;
    EXPECT_EQ(q.status().message(), message);
  }
}

TEST(Quantity, EqualValuesCompareEqualRegardlessOfSpelling) {
  EXPECT_EQ(*Quantity::parse("1"), *Quantity::parse("1000m"));
  EXPECT_EQ(*Quantity::parse("1k"), *Quantity::parse("1e3"));
  EXPECT_FALSE(*Quantity::parse("1") == *Quantity::parse("2"));
}

TEST(Quantity, FromJsonAcceptsStringsAndBareNumbers) {
  rapidjson::Document doc;
  doc.Parse(R"({"a":1,"b":"2","c":1.5,"d":true})");
  EXPECT_EQ(Quantity::fromJson(doc["a"], "x")->integerValue(), 1);
  EXPECT_EQ(Quantity::fromJson(doc["b"], "x")->integerValue(), 2);
  EXPECT_EQ(Quantity::fromJson(doc["c"], "x")->milliValue(), 1500);
  Result<Quantity> bad = Quantity::fromJson(doc["d"], "limits[\"cpu\"]");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().message(), "limits[\"cpu\"]: expected quantity (string or number), got boolean");
}

TEST(WholeDevices, AcceptsIntegersInAnySpelling) {
  for (const char* text : {"1", "2", "1e1", "1000m", "3.0"}) {
    Result<int64_t> n = wholeDevices(*Quantity::parse(text), "f");
    ASSERT_TRUE(n.ok()) << text;
  }
  EXPECT_EQ(*wholeDevices(*Quantity::parse("1e1"), "f"), 10);
}

TEST(WholeDevices, RejectsFractionsNamingTheField) {
  Result<int64_t> n =
      wholeDevices(*Quantity::parse("500m"), "container \"train\": resources.limits[\"nvidia.com/mig-1g.10gb\"]");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().message(),
            "container \"train\": resources.limits[\"nvidia.com/mig-1g.10gb\"]: 500m is not a whole number of devices");
}

TEST(WholeDevices, RejectsNegativeCounts) {
  Result<int64_t> n = wholeDevices(*Quantity::parse("-1"), "f");
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().message(), "f: -1 is negative");
}

TEST(WholeDevices, RejectsCountsBeyondInt64) { EXPECT_FALSE(wholeDevices(*Quantity::parse("1e30"), "f").ok()); }

}  // namespace
}  // namespace migwarden::admission
