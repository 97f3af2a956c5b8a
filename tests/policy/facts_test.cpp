// The built-in table must agree with NVIDIA's published facts, entry by entry.
// tests/fixtures/nvidia-gpu-facts.json is a copy of the reference file; nlohmann::json
// reads it as an independent oracle (the policy code uses RapidJSON).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "tests/policy/policy_test_util.h"
#include "tests/support/temp_dir.h"

namespace migwarden::policy {
namespace {

using nlohmann::json;

const json& facts() {
  static const json j = json::parse(migwarden::testing::readFixture("nvidia-gpu-facts.json"));
  return j;
}

uint32_t pciOf(const std::string& text) { return static_cast<uint32_t>(std::stoul(text.substr(0, 10), nullptr, 16)); }

// "1/8" -> 1 of 8; "1/4" of 8 -> 2; "Full..." -> total; "2/8 (guide prints 1/8...)" -> 2.
std::optional<uint32_t> fraction(const json& v, uint32_t total) {
  if (!v.is_string()) return std::nullopt;
  std::string s = v.get<std::string>();
  if (s.rfind("Full", 0) == 0) return total;
  std::smatch m;
  if (!std::regex_search(s, m, std::regex(R"(^(\d+)/(\d+))"))) return std::nullopt;
  return std::stoul(m[1]) * total / std::stoul(m[2]);
}

// ">= 450.80.02" anywhere in the text.
std::optional<std::string> minDriverIn(const std::string& s) {
  std::smatch m;
  if (!std::regex_search(s, m, std::regex(R"(>=\s*(\d+(?:\.\d+)*))"))) return std::nullopt;
  return m[1].str();
}

// "{0,1,2}:1" or "{0..6}:1 (...)" -> starts.
std::optional<std::vector<uint32_t>> placementsIn(const json& v) {
  if (!v.is_string()) return std::nullopt;
  std::string s = v.get<std::string>();
  std::smatch m;
  if (std::regex_search(s, m, std::regex(R"(^\{(\d+)\.\.(\d+)\}:)"))) {
    std::vector<uint32_t> out;
    for (uint32_t i = std::stoul(m[1]); i <= std::stoul(m[2]); ++i) out.push_back(i);
    return out;
  }
  if (!std::regex_search(s, m, std::regex(R"(^\{([\d,]+)\}:)"))) return std::nullopt;
  std::vector<uint32_t> out;
  std::string list = m[1];
  for (size_t pos = 0; pos <= list.size();) {
    size_t comma = list.find(',', pos);
    out.push_back(std::stoul(list.substr(pos, comma - pos)));
    if (comma == std::string::npos) break;
    pos = comma + 1;
  }
  return out;
}

const GpuModel* modelFor(const Policy& p, const json& gpu) {
  return p.gpuByPciDeviceId(pciOf(gpu["pci_device_ids_per_mig_parted"][0].get<std::string>()));
}

TEST(FactsTable, EveryListedGpuIsInTheTableWithItsPciIds) {
  auto p = testing::builtin();
  ASSERT_TRUE(p);
  const auto& gpus = facts()["mig"]["gpus"];
  EXPECT_EQ(p->data().gpus.size(), gpus.size());
  for (const auto& g : gpus) {
    const GpuModel* m = modelFor(*p, g);
    ASSERT_NE(m, nullptr) << g["model"];
    std::set<uint32_t> want, have(m->pciDeviceIds.begin(), m->pciDeviceIds.end());
    for (const auto& id : g["pci_device_ids_per_mig_parted"]) want.insert(pciOf(id.get<std::string>()));
    EXPECT_EQ(have, want) << m->id;
    EXPECT_EQ(m->computeCapability.toString(), g["compute_capability"].get<std::string>()) << m->id;
    EXPECT_EQ(m->maxGpuInstances, g["max_gpu_instances"].get<uint32_t>()) << m->id;
    if (g.contains("memory_slices")) {
      EXPECT_EQ(m->memorySlices, g["memory_slices"].get<uint32_t>()) << m->id;
    }
    if (g.contains("compute_slices")) {
      EXPECT_EQ(m->computeSlices, g["compute_slices"].get<uint32_t>()) << m->id;
    }
    if (g.contains("min_driver_for_mig")) {
      auto want = minDriverIn(g["min_driver_for_mig"].get<std::string>());
      ASSERT_TRUE(want) << m->id;
      EXPECT_EQ(m->migMinDriver.toString(), *want) << m->id;
    }
  }
}

TEST(FactsTable, EveryMigProfileMatchesEntryByEntry) {
  auto p = testing::builtin();
  ASSERT_TRUE(p);
  size_t compared = 0;
  for (const auto& g : facts()["mig"]["gpus"]) {
    const GpuModel* m = modelFor(*p, g);
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->migProfiles.size(), g["profiles"].size()) << m->id;
    for (const auto& fp : g["profiles"]) {
      std::string name = fp["name"];
      const MigProfile* mp = p->profile(*m, name);
      ASSERT_NE(mp, nullptr) << m->id << " lacks " << name;
      SCOPED_TRACE(m->id + " " + name);
      EXPECT_EQ(mp->resourceName, fp["resource_name_mixed_strategy"].get<std::string>());
      EXPECT_EQ(mp->maxInstances, fp["max_instances"].get<uint32_t>());
      if (auto mem = fraction(fp["memory_fraction"], m->memorySlices)) {
        EXPECT_EQ(mp->memorySlices, *mem);
      }
      if (auto sm = fraction(fp["sm_fraction"], m->computeSlices)) {
        EXPECT_EQ(mp->computeSlices, *sm);
      }
      if (fp.contains("nvidia_smi_profile_id")) {
        ASSERT_TRUE(mp->profileId.has_value());
        EXPECT_EQ(*mp->profileId, fp["nvidia_smi_profile_id"].get<uint32_t>());
      }
      if (auto starts = placementsIn(fp.value("placements", json()))) {
        std::vector<uint32_t> have;
        for (const auto& pl : mp->placements) have.push_back(pl.start);
        EXPECT_EQ(have, *starts);
      }
      ++compared;
    }
  }
  EXPECT_EQ(compared, 93u);
}

TEST(FactsTable, EveryCudaToolkitRowHasItsLinuxMinimumDriver) {
  auto p = testing::builtin();
  ASSERT_TRUE(p);
  auto byLabel = [&](const std::string& label) -> const CudaRelease* {
    for (const auto& r : p->data().cuda.releases) {
      if (r.label == label) return &r;
    }
    return nullptr;
  };
  const auto& cd = facts()["cuda_driver"];
  for (const auto& row : cd["table3_toolkit_corresponding_driver"]) {
    const CudaRelease* r = byLabel(row["toolkit"]);
    ASSERT_NE(r, nullptr) << row["toolkit"];
    EXPECT_EQ(r->linuxMinDriver.toString(), *minDriverIn(row["linux_x86_64"].get<std::string>())) << r->label;
  }
  for (const auto& label : cd["cuda_13_3"]["toolkit"]) {
    const CudaRelease* r = byLabel(label);
    ASSERT_NE(r, nullptr) << label;
    EXPECT_EQ(r->linuxMinDriver.toString(), *minDriverIn(cd["cuda_13_3"]["linux_x86_64"].get<std::string>()));
  }
  // 13.4 is published as a branch only (R615).
  const CudaRelease* r134 = p->cudaRelease(*Version::parse("13.4"));
  ASSERT_NE(r134, nullptr);
  EXPECT_EQ(std::to_string(r134->linuxMinDriver.major()), cd["cuda_13_4"]["branch"].get<std::string>().substr(1));  // "R615"
  EXPECT_EQ(p->data().cuda.releases.size(), cd["table3_toolkit_corresponding_driver"].size() + 2 + 1);
}

TEST(FactsTable, ToolkitVersionsFollowTheLabels) {
  auto p = testing::builtin();
  ASSERT_TRUE(p);
  for (const auto& r : p->data().cuda.releases) {
    std::smatch m;
    ASSERT_TRUE(std::regex_search(r.label, m, std::regex(R"(^CUDA (\d+\.\d+)(\.\d+)?)"))) << r.label;
    EXPECT_EQ(r.version.truncated(2).toString(), m[1].str()) << r.label;
    if (m[2].matched) {
      EXPECT_EQ(std::to_string(r.version.patch()), m[2].str().substr(1)) << r.label;
    }
    std::smatch u;
    if (std::regex_search(r.label, u, std::regex(R"(Update (\d+))")) && !m[2].matched) {
      EXPECT_EQ(std::to_string(r.version.patch()), u[1].str()) << r.label;
    }
    EXPECT_EQ(r.preRelease, r.label.find(" RC") != std::string::npos) << r.label;
  }
}

TEST(FactsTable, MinorVersionCompatibilityFloorsPerMajor) {
  auto p = testing::builtin();
  ASSERT_TRUE(p);
  for (const auto& row : facts()["cuda_driver"]["minor_version_compatibility"]) {
    uint32_t major = std::stoul(row["ctk"].get<std::string>());
    const MinorVersionFloor* f = p->minorVersionFloor(major);
    ASSERT_NE(f, nullptr) << major;
    EXPECT_EQ(std::to_string(f->minDriver.major()), *minDriverIn(row["min"].get<std::string>())) << major;
    // The precise floors the facts quote: 11.x 450.80.02, 12.x = 12.0 GA, 13.x = 13.0 GA.
    std::string note = facts()["cuda_driver"]["minor_version_note"];
    EXPECT_NE(note.find(std::to_string(major) + ".x -> " + f->minDriver.toString()), std::string::npos) << note;
  }
}

TEST(FactsTable, MigMinimumDriverPerGpuFamily) {
  auto p = testing::builtin();
  ASSERT_TRUE(p);
  const std::map<std::string, std::vector<std::string>> models = {
      {"A100", {"A100-40GB", "A100-80GB"}},
      {"A30", {"A30-24GB"}},
      {"H100", {"H100-80GB", "H100-94GB"}},
      {"H20", {"H100-96GB"}},
      {"H200", {"H200-141GB"}},
      {"B200, GB200", {"B200-180GB", "GB200-186GB"}},
      {"B300", {"B300-288GB"}},
      {"RTX PRO 6000 Blackwell (all editions)", {"RTX-PRO-6000-BW-96GB"}},
      {"GB300 (DGX Station)", {"GB300-288GB"}}};
  size_t checked = 0;
  for (const auto& row : facts()["mig"]["min_driver_620"]) {
    auto it = models.find(row["gpu"].get<std::string>());
    if (it == models.end()) continue;  // RTX PRO 5000/4500, Thor: not in the MIG profile tables
    for (const auto& id : it->second) {
      const GpuModel* m = p->gpuById(id);
      ASSERT_NE(m, nullptr) << id;
      EXPECT_EQ(m->migMinDriver.toString(), *minDriverIn(row["driver"].get<std::string>())) << id;
      ++checked;
    }
  }
  EXPECT_EQ(checked, 12u);
}

TEST(FactsTable, ArchitectureMatrixFirstAndLastToolkits) {
  auto p = testing::builtin();
  ASSERT_TRUE(p);
  for (const auto& row : facts()["compute_capability"]["arch_matrix"]) {
    std::string cc0 = row["cc"][0];
    const Architecture* a = p->architectureOf(*Version::parse(cc0));
    ASSERT_NE(a, nullptr) << cc0;
    std::vector<std::string> want = row["cc"], have;
    for (const auto& cc : a->computeCapabilities) have.push_back(cc.toString());
    EXPECT_EQ(have, want) << a->name;
    std::smatch m;
    std::string first = row["first_ctk"];
    ASSERT_TRUE(std::regex_search(first, m, std::regex(R"(CUDA (\d+\.\d+))")));
    EXPECT_EQ(a->firstCuda.toString(), m[1].str()) << a->name;
    std::string last = row["last_ctk"];
    if (last == "Ongoing") {
      EXPECT_FALSE(a->lastCudaMajor.has_value()) << a->name;
    } else {
      ASSERT_TRUE(std::regex_search(last, m, std::regex(R"(CUDA (\d+)\.x)")));
      ASSERT_TRUE(a->lastCudaMajor.has_value()) << a->name;
      EXPECT_EQ(std::to_string(*a->lastCudaMajor), m[1].str()) << a->name;
    }
  }
}

TEST(FactsTable, EveryPerGpuComputeCapabilityHasAnArchitecture) {
  auto p = testing::builtin();
  ASSERT_TRUE(p);
  for (const auto& row : facts()["compute_capability"]["per_gpu"]) {
    EXPECT_NE(p->architectureOf(*Version::parse(row["cc"].get<std::string>())), nullptr) << row["gpu"];
  }
}

TEST(FactsTable, NcclSettingsOnMigFollowTheNcclFacts) {
  auto p = testing::builtin();
  ASSERT_TRUE(p);
  std::map<std::string, std::string> env;
  for (const auto& e : p->data().mutation.ncclOnMigEnv) env[e.name] = e.value;
  // "MIG does not support NVLink P2P from the CUDA driver -> set NCCL_MNNVL_ENABLE=0".
  EXPECT_EQ(env["NCCL_MNNVL_ENABLE"], "0");
  EXPECT_NE(facts()["nccl"]["env"]["NCCL_MNNVL_ENABLE"].get<std::string>().find("Must be 0 with MIG"), std::string::npos);
  // No CUDA P2P over PCIe or NVLink between MIG instances.
  EXPECT_EQ(env["NCCL_P2P_DISABLE"], "1");
  // NCCL_NVLS_ENABLE=1 aborts init on MIG; NVLS is never used with MIG.
  ASSERT_TRUE(env.count("NCCL_NVLS_ENABLE"));
  EXPECT_NE(env["NCCL_NVLS_ENABLE"], "1");
  // MIG<->MIG on one GPU goes through SHM: never disable it.
  EXPECT_FALSE(env.count("NCCL_SHM_DISABLE"));
  // NCCL on MIG needs a CUDA 13.0+ driver.
  EXPECT_EQ(p->data().mutation.ncclOnMigMinCudaDriverMajor, 13u);
}

TEST(FactsTable, InjectedDriverCapabilitiesAreKnownValues) {
  auto p = testing::builtin();
  ASSERT_TRUE(p);
  const auto& known = facts()["container_toolkit"]["env"]["NVIDIA_DRIVER_CAPABILITIES"]["values"];
  for (const auto* list : {&p->data().mutation.migSliceEnv, &p->data().mutation.wholeGpuEnv}) {
    for (const auto& e : *list) {
      if (e.name != "NVIDIA_DRIVER_CAPABILITIES") continue;
      size_t pos = 0;
      while (pos <= e.value.size()) {
        size_t comma = e.value.find(',', pos);
        std::string cap = e.value.substr(pos, comma - pos);
        EXPECT_TRUE(known.contains(cap)) << cap;
        if (comma == std::string::npos) break;
        pos = comma + 1;
      }
    }
  }
}

}  // namespace
}  // namespace migwarden::policy
