// Source parsing: syntax errors with line and column, schema errors naming the JSON path.
#include <gtest/gtest.h>

#include "tests/policy/policy_test_util.h"

namespace migwarden::policy {
namespace {

using testing::compileText;
using testing::minimalSource;

std::string replaced(std::string text, const std::string& from, const std::string& to) {
  auto pos = text.find(from);
  EXPECT_NE(pos, std::string::npos) << from;
  if (pos != std::string::npos) text.replace(pos, from.size(), to);
  return text;
}

// All diagnostics as text, for substring assertions.
std::string errorsOf(const CompileResult& r) { return formatDiagnostics(r.errors); }

TEST(PolicyLoader, MinimalSourceWithCommentsAndTrailingCommasLoads) {
  auto r = compileText(minimalSource());
  ASSERT_TRUE(r.policy) << errorsOf(r);
  EXPECT_EQ(r.policy->data().name, "tiny");
  EXPECT_EQ(r.policy->data().gpus[0].migProfiles[1].resourceName, "nvidia.com/mig-3g.20gb");
  EXPECT_EQ(r.policy->data().gpus[0].migProfiles[1].memoryGB, 20u);  // derived from the name
}

TEST(PolicyLoader, SyntaxErrorNamesFileLineAndColumn) {
  auto r = compileText("{\n  \"name\": \"x\",\n  \"gpus\": [\n    {\"id\": }\n  ]\n}\n", "bad.jsonc");
  ASSERT_FALSE(r.policy);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0].file, "bad.jsonc");
  EXPECT_NE(r.errors[0].message.find("line 4"), std::string::npos) << r.errors[0].message;
  EXPECT_NE(r.errors[0].message.find("column"), std::string::npos);
}

TEST(PolicyLoader, OutOfRangeNumberNamesTheFullPath) {
  auto r = compileText(replaced(minimalSource(), "\"memorySlices\": 4", "\"memorySlices\": 9"));
  ASSERT_FALSE(r.policy);
  EXPECT_NE(errorsOf(r).find("test.jsonc: gpus[0].migProfiles[1].memorySlices: must be an integer 1..8"), std::string::npos)
      << errorsOf(r);
}

TEST(PolicyLoader, WrongTypeIsReportedWithWhatWasFound) {
  auto r = compileText(replaced(minimalSource(), "\"maxInstances\": 2", "\"maxInstances\": \"2\""));
  ASSERT_FALSE(r.policy);
  EXPECT_NE(errorsOf(r).find("gpus[0].migProfiles[1].maxInstances: must be an integer"), std::string::npos) << errorsOf(r);
}

TEST(PolicyLoader, UnknownFieldIsReportedNotIgnored) {
  auto r = compileText(replaced(minimalSource(), "\"maxInstances\": 2", "\"maxInstance\": 2"));
  ASSERT_FALSE(r.policy);
  EXPECT_NE(errorsOf(r).find("gpus[0].migProfiles[1].maxInstance: unknown field"), std::string::npos) << errorsOf(r);
  EXPECT_NE(errorsOf(r).find("gpus[0].migProfiles[1].maxInstances: is required"), std::string::npos) << errorsOf(r);
}

TEST(PolicyLoader, UnparsableVersionNamesThePath) {
  auto r = compileText(replaced(minimalSource(), "\"550.54.15\"", "\"550.54.x\""));
  ASSERT_FALSE(r.policy);
  EXPECT_NE(errorsOf(r).find("cuda.releases[2].linuxMinDriver: version \"550.54.x\""), std::string::npos) << errorsOf(r);
}

TEST(PolicyLoader, BadPciIdAndBadActionAreReported) {
  std::string text = replaced(minimalSource(), "\"0x20B010DE\"", "\"20B0\"");
  text = replaced(text, "{\"id\": \"cuda-driver-compatible\"}", "{\"id\": \"cuda-driver-compatible\", \"action\": \"block\"}");
  auto r = compileText(text);
  ASSERT_FALSE(r.policy);
  EXPECT_NE(errorsOf(r).find("gpus[0].pciDeviceIds[0]: must be a PCI device id"), std::string::npos) << errorsOf(r);
  EXPECT_NE(errorsOf(r).find("enforcement.rules[0].action: must be deny, warn or audit"), std::string::npos) << errorsOf(r);
}

TEST(PolicyLoader, ReportsEveryProblemNotJustTheFirst) {
  std::string text = replaced(minimalSource(), "\"maxInstances\": 7,", "\"maxInstances\": 0,");
  text = replaced(text, "\"computeSlices\": 7, \"memorySlices\": 8", "\"computeSlices\": 70, \"memorySlices\": 8");
  auto r = compileText(text);
  ASSERT_FALSE(r.policy);
  EXPECT_GE(r.errors.size(), 2u) << errorsOf(r);
}

TEST(PolicyLoader, NonObjectDocumentIsRefused) {
  auto r = compileText("[1, 2]");
  ASSERT_FALSE(r.policy);
  EXPECT_NE(errorsOf(r).find("must be an object"), std::string::npos);
}

TEST(PolicyLoader, MissingCudaSectionIsRequired) {
  auto r = compileText(R"({"gpus": []})");
  ASSERT_FALSE(r.policy);
  EXPECT_NE(errorsOf(r).find("cuda: is required"), std::string::npos) << errorsOf(r);
}

TEST(PolicyLoader, SplitFilesMergeGpuLists) {
  std::string cudaOnly = R"({"cuda": {"releases": [{"version": "12.0.0", "linuxMinDriver": "525.60.13"}]}})";
  std::string gpuOnly = R"({"gpus": [{"id": "A30-24GB", "pciDeviceIds": ["0x20B710DE"], "computeCapability": "8.0",
      "memorySlices": 4, "computeSlices": 4, "maxGpuInstances": 4,
      "migProfiles": [{"name": "1g.6gb", "computeSlices": 1, "memorySlices": 1, "maxInstances": 4}]}]})";
  auto r = compileSources({{"cuda.jsonc", cudaOnly}, {"a30.jsonc", gpuOnly}});
  ASSERT_TRUE(r.policy) << errorsOf(r);
  EXPECT_EQ(r.policy->data().gpus.size(), 1u);
  EXPECT_NE(r.policy->gpuById("A30-24GB"), nullptr);
}

TEST(PolicyLoader, SectionDefinedInTwoFilesIsAnError) {
  std::string cudaOnly = R"({"cuda": {"releases": [{"version": "12.0.0", "linuxMinDriver": "525.60.13"}]}})";
  auto r = compileSources({{"one.jsonc", cudaOnly}, {"two.jsonc", cudaOnly}});
  ASSERT_FALSE(r.policy);
  EXPECT_NE(errorsOf(r).find("two.jsonc: cuda: already defined in one.jsonc"), std::string::npos) << errorsOf(r);
}

TEST(PolicyLoader, ArbitraryBytesNeverCrash) {
  std::string base = minimalSource();
  for (size_t cut = 0; cut < base.size(); cut += 7) {
    auto r = compileText(base.substr(0, cut));
    EXPECT_FALSE(r.policy) << cut;
    EXPECT_FALSE(r.errors.empty());
  }
  compileText(std::string("\0\xff{\"gpus\":", 10));
}

}  // namespace
}  // namespace migwarden::policy

namespace migwarden::policy {
namespace {

TEST(PolicyLoader, StructuralAndSemanticProblemsAreReportedTogether) {
  std::string text = testing::minimalSource();
  text.replace(text.find("\"placementStarts\": [0,4]"), 24, "\"placementStarts\": [0,6]");  // semantic
  text.replace(text.find("\"550.54.15\""), 11, "\"550.54.1x\"");                        // structural
  auto r = testing::compileText(text);
  ASSERT_FALSE(r.policy);
  std::string all = formatDiagnostics(r.errors);
  EXPECT_NE(all.find("cuda.releases[2].linuxMinDriver"), std::string::npos) << all;
  EXPECT_NE(all.find("gpus[0].migProfiles[1].placementStarts[1]: placement 6:4 ends past"), std::string::npos) << all;
}

TEST(PolicyLoader, SemanticEchoesOfAStructuralErrorAreSuppressed) {
  std::string text = testing::minimalSource();
  // maxInstances missing: reported once, not again as "0 placements" or similar.
  text.replace(text.find("\"maxInstances\": 2, "), 19, "");
  auto r = testing::compileText(text);
  ASSERT_FALSE(r.policy);
  ASSERT_EQ(r.errors.size(), 1u) << formatDiagnostics(r.errors);
  EXPECT_EQ(r.errors[0].path, "gpus[0].migProfiles[1].maxInstances");
}

}  // namespace
}  // namespace migwarden::policy
