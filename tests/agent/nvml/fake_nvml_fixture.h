// Test fixture for the NVML tests: writes a fake-NVML topology (a fixture file, optionally
// with extra top-level members such as "events" or "failAt") to a temp dir, points
// MIGWARDEN_FAKE_NVML_CONFIG at it and opens the fake through NvmlLibrary::open, the same
// dlopen path production uses.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "tests/support/temp_dir.h"
#include "webhook/agent/nvml/nvml_library.h"

namespace migwarden::agent::nvml::testing {

inline const std::string kFakeNvml = MIGWARDEN_FAKE_NVML_PATH;
inline const std::string kFakeNvmlMinimal = MIGWARDEN_FAKE_NVML_MINIMAL_PATH;

class FakeNvmlTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  // tests/agent/nvml/fixtures/<name>
  static std::string fixture(const std::string& name);
  // `json` with top-level member `key` set to the JSON text `value`.
  static std::string withMember(const std::string& json, const std::string& key, const std::string& value);

  // Replaces the config atomically (write + rename: a new inode, which the fake notices).
  void writeConfig(const std::string& json);
  // writeConfig(fixture(name)) then open(library).
  std::shared_ptr<const NvmlLibrary> load(const std::string& fixtureName, const std::string& library = kFakeNvml);
  std::shared_ptr<const NvmlLibrary> loadJson(const std::string& json, const std::string& library = kFakeNvml);

  migwarden::testing::TempDir dir_;
  std::string configPath_;
};

}  // namespace migwarden::agent::nvml::testing
