#include "webhook/agent/nvml/nvml_library.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tests/agent/nvml/fake_nvml_fixture.h"

namespace migwarden::agent::nvml {
namespace {

using ::testing::HasSubstr;
using testing::FakeNvmlTest;
using testing::kFakeNvml;
using testing::kFakeNvmlMinimal;

class NvmlLibraryTest : public FakeNvmlTest {};

TEST_F(NvmlLibraryTest, OpensTheFakeThroughDlopenWithEveryFeature) {
  auto lib = load("a100_40gb_mixed.json");
  ASSERT_NE(lib, nullptr);
  EXPECT_EQ(lib->path(), kFakeNvml);
  EXPECT_TRUE(lib->hasCudaDriverVersion());
  EXPECT_TRUE(lib->hasEvents());
  unsigned int count = 0;
  ASSERT_EQ(lib->api().nvmlDeviceGetCount_v2(&count), NVML_SUCCESS);
  EXPECT_EQ(count, 2u);
}

TEST_F(NvmlLibraryTest, MissingLibrarySaysNvmlIsMissingAndNamesThePath) {
  auto lib = NvmlLibrary::open(dir_.file("no-such/libnvidia-ml.so.1"));
  ASSERT_FALSE(lib.ok());
  EXPECT_EQ(lib.status().code(), StatusCode::kUnavailable);
  EXPECT_THAT(lib.status().message(), HasSubstr("NVML not available: cannot load " + dir_.file("no-such/libnvidia-ml.so.1") + ": "));
  EXPECT_THAT(lib.status().message(), HasSubstr("No such file or directory"));
  EXPECT_THAT(lib.status().message(), HasSubstr("is the NVIDIA driver installed and the library mounted?"));
}

TEST_F(NvmlLibraryTest, LibraryWithoutNvmlNamesTheMissingRequiredSymbol) {
  auto lib = NvmlLibrary::open("libm.so.6");
  ASSERT_FALSE(lib.ok());
  EXPECT_EQ(lib.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(lib.status().message(), HasSubstr("lacks required symbol nvmlInit_v2"));
}

TEST_F(NvmlLibraryTest, MissingOptionalSymbolsMeanFeaturesNotAvailable) {
  auto lib = load("a100_40gb_mixed.json", kFakeNvmlMinimal);
  ASSERT_NE(lib, nullptr);
  EXPECT_FALSE(lib->hasCudaDriverVersion());
  EXPECT_FALSE(lib->hasEvents());
  EXPECT_EQ(lib->api().nvmlEventSetWait_v2, nullptr);
}

TEST_F(NvmlLibraryTest, InitFailureIsReportedWithNvmlsOwnText) {
  writeConfig(withMember(fixture("a100_40gb_mixed.json"), "failAt", R"({"call": "nvmlInit_v2", "error": 9})"));
  auto lib = NvmlLibrary::open(kFakeNvml);
  ASSERT_FALSE(lib.ok());
  EXPECT_EQ(lib.status().message(),
            "NVML not available: nvmlInit_v2 failed in " + kFakeNvml + ": Driver Not Loaded (NVML error 9)");
}

TEST_F(NvmlLibraryTest, CheckNamesTheCallAndTheError) {
  auto lib = load("a100_40gb_mixed.json");
  ASSERT_NE(lib, nullptr);
  EXPECT_TRUE(lib->check(NVML_SUCCESS, "x").ok());
  Status status = lib->check(NVML_ERROR_GPU_IS_LOST, "nvmlDeviceGetMemoryInfo(gpu 1)");
  EXPECT_EQ(status.code(), StatusCode::kUnavailable);
  EXPECT_EQ(status.message(), "nvmlDeviceGetMemoryInfo(gpu 1): GPU is lost (NVML error 15)");
}

}  // namespace
}  // namespace migwarden::agent::nvml
