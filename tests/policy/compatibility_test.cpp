// CUDA / driver / architecture verdicts from the built-in table, at and around every
// kind of boundary. Each row: what the pod needs, what the node has, the verdict.
#include <gtest/gtest.h>

#include "tests/policy/policy_test_util.h"

namespace migwarden::policy {
namespace {

Version v(const char* text) { return *Version::parse(text); }

struct Row {
  const char* cuda;
  const char* driver;
  const char* gpu;  // table id, or nullptr
  const char* cc;   // used when gpu is nullptr
  bool mig;
  bool compatible;
  CudaVerdictReason reason;
};

class CudaVerdicts : public ::testing::TestWithParam<Row> {};

TEST_P(CudaVerdicts, MatchTheTable) {
  auto p = testing::builtin();
  ASSERT_TRUE(p);
  const Row& r = GetParam();
  CudaQuery q;
  q.cuda = v(r.cuda);
  q.driver = v(r.driver);
  q.mig = r.mig;
  if (r.gpu) {
    q.gpu = p->gpuById(r.gpu);
    ASSERT_NE(q.gpu, nullptr) << r.gpu;
  } else if (r.cc) {
    q.computeCapability = v(r.cc);
  }
  CudaVerdict got = p->checkCuda(q);
  EXPECT_EQ(got.compatible, r.compatible) << got.message;
  EXPECT_EQ(cudaVerdictReasonName(got.reason), cudaVerdictReasonName(r.reason)) << got.message;
  EXPECT_FALSE(got.message.empty());
  EXPECT_FALSE(got.ruleId.empty());
}

using R = CudaVerdictReason;
INSTANTIATE_TEST_SUITE_P(
    BuiltinTable, CudaVerdicts,
    ::testing::Values(
        // Exactly at a release minimum, one revision below it, one above.
        Row{"12.4", "550.54.14", "A100-40GB", nullptr, false, true, R::kDriverMeetsToolkitMinimum},
        Row{"12.4.1", "550.54.15", "A100-40GB", nullptr, false, true, R::kDriverMeetsToolkitMinimum},
        Row{"12.4.1", "550.54.14", "A100-40GB", nullptr, false, true, R::kMinorVersionCompatibility},
        Row{"12.4", "550.54.15", "H100-80GB", nullptr, true, true, R::kDriverMeetsToolkitMinimum},
        // An 12.x toolkit on an older 12.x driver: minor-version compatibility.
        Row{"12.4", "535.104.05", "H100-80GB", nullptr, true, true, R::kMinorVersionCompatibility},
        Row{"12.8", "525.60.13", "A100-80GB", nullptr, false, true, R::kMinorVersionCompatibility},
        // Below the 12.x floor: too old.
        Row{"12.0", "525.60.12", "A100-40GB", nullptr, false, false, R::kDriverTooOld},
        Row{"12.4", "520.61.05", "A100-40GB", nullptr, false, false, R::kDriverTooOld},
        // CUDA 13 needs an R580+ driver; 575 is a 12.x driver.
        Row{"13.0", "575.57.08", "H100-80GB", nullptr, false, false, R::kDriverTooOld},
        Row{"13.0", "580.65.06", "H100-80GB", nullptr, false, true, R::kDriverMeetsToolkitMinimum},
        Row{"13.2", "580.65.06", "H100-80GB", nullptr, false, true, R::kMinorVersionCompatibility},
        // 11.x floor is 450.80.02, above 11.0 GA's own minimum.
        Row{"11.8", "450.80.02", nullptr, "8.0", false, true, R::kMinorVersionCompatibility},
        Row{"11.8", "450.80.01", nullptr, "8.0", false, false, R::kDriverTooOld},
        Row{"11.0", "450.51.05", nullptr, "8.0", false, true, R::kDriverMeetsToolkitMinimum},
        // Architectures: CUDA 13 dropped Volta; Hopper starts at 11.8; Blackwell at 12.8.
        Row{"13.0", "580.65.06", nullptr, "7.0", false, false, R::kArchitectureUnsupported},
        Row{"12.9", "575.51.03", nullptr, "7.0", false, true, R::kDriverMeetsToolkitMinimum},
        Row{"11.7", "515.43.04", "H100-80GB", nullptr, false, false, R::kArchitectureUnsupported},
        Row{"11.8", "520.61.05", "H100-80GB", nullptr, false, true, R::kDriverMeetsToolkitMinimum},
        Row{"12.6", "560.28.03", "B200-180GB", nullptr, false, false, R::kArchitectureUnsupported},
        Row{"12.8", "570.26", "B200-180GB", nullptr, false, true, R::kDriverMeetsToolkitMinimum},
        Row{"12.8", "570.26", "B300-288GB", nullptr, false, false, R::kArchitectureUnsupported},
        Row{"12.0", "525.60.13", nullptr, "3.7", false, false, R::kArchitectureUnsupported},
        Row{"12.0", "525.60.13", nullptr, "9.9", false, false, R::kUnknownComputeCapability},
        // Versions the table does not list.
        Row{"12.7", "570.26", "A100-40GB", nullptr, false, false, R::kUnknownCudaVersion},
        Row{"14.0", "700.0", nullptr, nullptr, false, false, R::kUnknownCudaVersion},
        // MIG minimum drivers per model.
        Row{"12.2", "535.104.05", "H200-141GB", nullptr, true, false, R::kMigDriverTooOld},
        Row{"12.4", "550.90.07", "H200-141GB", nullptr, true, true, R::kDriverMeetsToolkitMinimum},
        Row{"12.8", "570.124.06", "B200-180GB", nullptr, true, false, R::kMigDriverTooOld},
        Row{"12.8", "570.133.20", "B200-180GB", nullptr, true, true, R::kDriverMeetsToolkitMinimum},
        Row{"12.8", "570.124.06", "B200-180GB", nullptr, false, true, R::kDriverMeetsToolkitMinimum}));

TEST(CudaLookup, MajorMinorRequestIsHeldToTheGaRow) {
  auto p = testing::builtin();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->minDriverFor(v("12.4"))->toString(), "550.54.14");
  EXPECT_EQ(p->minDriverFor(v("12.4.1"))->toString(), "550.54.15");
  EXPECT_EQ(p->minDriverFor(v("12.2.2"))->toString(), "535.104.05");
  EXPECT_EQ(p->minDriverFor(v("12.8"))->toString(), "570.26");
  EXPECT_EQ(p->minDriverFor(v("13.0"))->toString(), "580.65.06");
}

TEST(CudaLookup, ReleaseCandidateRowsAreNeverTheGaRow) {
  auto p = testing::builtin();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->cudaRelease(v("11.0"))->label, "CUDA 11.0.2 GA");
  EXPECT_EQ(p->cudaRelease(v("11.0.1"))->label, "CUDA 11.0.1 RC");  // asked for by exact version
}

TEST(CudaLookup, UnlistedPatchUsesTheNewestUpdateBelowIt) {
  auto p = testing::builtin();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->cudaRelease(v("12.6.9"))->label, "CUDA 12.6 Update 3");
  EXPECT_EQ(p->minDriverFor(v("12.7")), std::nullopt);
}

TEST(CudaLookup, DriverMapsToTheNewestCudaItMeets) {
  auto p = testing::builtin();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->cudaVersionOfDriver(v("535.104.05"))->toString(), "12.2");
  EXPECT_EQ(p->cudaVersionOfDriver(v("550.54.15"))->toString(), "12.4");
  EXPECT_EQ(p->cudaVersionOfDriver(v("580.65.06"))->toString(), "13.0");
  EXPECT_EQ(p->cudaVersionOfDriver(v("400.1")), std::nullopt);
}

TEST(CudaVerdict, MessageNamesTheDataRow) {
  auto p = testing::builtin();
  ASSERT_TRUE(p);
  auto verdict = p->isCudaCompatible(v("12.4"), v("545.23.08"), v("8.0"));
  EXPECT_TRUE(verdict.compatible);
  ASSERT_NE(verdict.release, nullptr);
  EXPECT_EQ(verdict.release->label, "CUDA 12.4 GA");
  EXPECT_NE(verdict.message.find("CUDA 12.4 GA"), std::string::npos) << verdict.message;
  EXPECT_EQ(verdict.ruleId, "cuda-driver-compatible");
}

TEST(CudaVerdict, MinorVersionCompatibilityCanBeTurnedOff) {
  std::string text = testing::minimalSource();
  text.replace(text.find("\"releases\""), 0, "\"allowMinorVersionCompatibility\": false, ");
  auto r = testing::compileText(text);
  ASSERT_TRUE(r.policy) << formatDiagnostics(r.errors);
  auto verdict = r.policy->isCudaCompatible(v("12.4"), v("535.104.05"), v("8.0"));
  EXPECT_FALSE(verdict.compatible);
  EXPECT_EQ(verdict.reason, CudaVerdictReason::kDriverTooOld);
}

}  // namespace
}  // namespace migwarden::policy
