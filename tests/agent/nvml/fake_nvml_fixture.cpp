#include "tests/agent/nvml/fake_nvml_fixture.h"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace migwarden::agent::nvml::testing {

void FakeNvmlTest::SetUp() {
  configPath_ = dir_.file("fake-nvml.json");
  setenv("MIGWARDEN_FAKE_NVML_CONFIG", configPath_.c_str(), 1);
}

void FakeNvmlTest::TearDown() { unsetenv("MIGWARDEN_FAKE_NVML_CONFIG"); }

std::string FakeNvmlTest::fixture(const std::string& name) {
  return migwarden::testing::readFile(std::string(MIGWARDEN_SOURCE_DIR) + "/tests/agent/nvml/fixtures/" + name);
}

std::string FakeNvmlTest::withMember(const std::string& json, const std::string& key, const std::string& value) {
  rapidjson::Document doc;
  doc.Parse(json.c_str());
  rapidjson::Document member(&doc.GetAllocator());
  member.Parse(value.c_str());
  if (doc.HasParseError() || member.HasParseError()) throw std::runtime_error("withMember: bad JSON for " + key);
  doc.RemoveMember(key.c_str());
  doc.AddMember(rapidjson::Value(key.c_str(), doc.GetAllocator()), rapidjson::Value(member, doc.GetAllocator()),
                doc.GetAllocator());
  rapidjson::StringBuffer out;
  rapidjson::Writer<rapidjson::StringBuffer> writer(out);
  doc.Accept(writer);
  return out.GetString();
}

void FakeNvmlTest::writeConfig(const std::string& json) {
  const std::string temp = configPath_ + ".tmp";
  migwarden::testing::writeFile(temp, json);
  if (std::rename(temp.c_str(), configPath_.c_str()) != 0) throw std::runtime_error("rename " + temp);
}

std::shared_ptr<const NvmlLibrary> FakeNvmlTest::load(const std::string& fixtureName, const std::string& library) {
  return loadJson(fixture(fixtureName), library);
}

std::shared_ptr<const NvmlLibrary> FakeNvmlTest::loadJson(const std::string& json, const std::string& library) {
  writeConfig(json);
  auto lib = NvmlLibrary::open(library);
  if (!lib.ok()) {
    ADD_FAILURE() << lib.status().toString();
    return nullptr;
  }
  return std::shared_ptr<const NvmlLibrary>(std::move(*lib));
}

}  // namespace migwarden::agent::nvml::testing
