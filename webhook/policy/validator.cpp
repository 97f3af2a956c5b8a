#include "webhook/policy/validator.h"

#include <algorithm>
#include <regex>
#include <set>

#include "webhook/policy/policy.h"

namespace migwarden::policy {
namespace {

class Checker {
 public:
  Checker(const PolicyData& d, const SourceOrigins* o) : data_(d), origins_(o) {}

  Diagnostics run() {
    checkGpus();
    checkCuda();
    checkDeclaration();
    checkMutation();
    checkEnforcement();
    return std::move(out_);
  }

 private:
  void gpuError(size_t i, const std::string& rest, std::string msg) {
    std::string file;
    size_t local = i;
    if (origins_ && i < origins_->gpus.size()) {
      file = origins_->gpus[i].file;
      local = origins_->gpus[i].index;
    }
    if (!data_.gpus[i].id.empty()) msg += " (GPU " + data_.gpus[i].id + ")";
    out_.push_back({file, "gpus[" + std::to_string(local) + "]" + rest, std::move(msg)});
  }
  void sectionError(const std::string* file, std::string path, std::string msg) {
    out_.push_back({file ? *file : std::string(), std::move(path), std::move(msg)});
  }

  void checkGpus() {
    std::set<std::string> ids, names;
    std::set<uint32_t> pcis;
    for (size_t i = 0; i < data_.gpus.size(); ++i) {
      const GpuModel& g = data_.gpus[i];
      if (!ids.insert(g.id).second) gpuError(i, ".id", "duplicate GPU id \"" + g.id + "\"");
      if (g.productNames.empty() && g.pciDeviceIds.empty()) {
        gpuError(i, "", "needs productNames or pciDeviceIds, or no node GPU can ever match it");
      }
      for (size_t k = 0; k < g.productNames.size(); ++k) {
        if (!names.insert(normalizeGpuName(g.productNames[k])).second) {
          gpuError(i, ".productNames[" + std::to_string(k) + "]", "\"" + g.productNames[k] + "\" already names another GPU model");
        }
      }
      for (size_t k = 0; k < g.pciDeviceIds.size(); ++k) {
        if (!pcis.insert(g.pciDeviceIds[k]).second) {
          gpuError(i, ".pciDeviceIds[" + std::to_string(k) + "]", "PCI device id already belongs to another GPU model");
        }
      }
      if (g.computeCapability < Version{8, 0}) {
        gpuError(i, ".computeCapability", "MIG needs compute capability 8.0 or newer, got " + g.computeCapability.toString());
      }
      if (g.maxGpuInstances > g.computeSlices) {
        gpuError(i, ".maxGpuInstances", "cannot exceed computeSlices (" + std::to_string(g.computeSlices) + ")");
      }
      if (g.migProfiles.empty()) gpuError(i, ".migProfiles", "must list at least one profile");
      checkProfiles(i, g);
    }
  }

  void checkProfiles(size_t gi, const GpuModel& g) {
    static const std::regex kName(R"(^([0-9]{1,3})g\.([0-9]{1,6})gb(\+me|\+me\.all|\+gfx|-me)?$)");
    std::set<std::string> names;
    std::set<uint32_t> profileIds;
    for (size_t i = 0; i < g.migProfiles.size(); ++i) {
      const MigProfile& p = g.migProfiles[i];
      std::string at = ".migProfiles[" + std::to_string(i) + "]";
      if (!names.insert(p.name).second) gpuError(gi, at + ".name", "duplicate profile \"" + p.name + "\" on this GPU");
      std::smatch m;
      if (!std::regex_match(p.name, m, kName)) {
        gpuError(gi, at + ".name",
                 "\"" + p.name + "\" is not a GPU-instance profile name like 1g.5gb, 1g.5gb+me, 1g.24gb-me "
                 "(the device plugin exposes only profiles whose compute instance fills the GPU instance)");
      } else {
        if (std::stoul(m[1].str()) != p.computeSlices) {
          gpuError(gi, at + ".computeSlices", "is " + std::to_string(p.computeSlices) + " but the name says " + m[1].str() + "g");
        }
        if (std::stoul(m[2].str()) != p.memoryGB) {
          gpuError(gi, at + ".memoryGB", "is " + std::to_string(p.memoryGB) + " but the name says " + m[2].str() + "gb");
        }
      }
      if (p.resourceName != migResourceName(p.name)) {
        gpuError(gi, at + ".resourceName", "must be \"" + migResourceName(p.name) + "\" (the device plugin's name for " + p.name + ")");
      }
      if (p.maxInstances * p.computeSlices > g.computeSlices) {
        gpuError(gi, at + ".maxInstances", std::to_string(p.maxInstances) + " x " + std::to_string(p.computeSlices) +
                                               " compute slices exceed the GPU's " + std::to_string(g.computeSlices));
      }
      if (p.maxInstances * p.memorySlices > g.memorySlices) {
        gpuError(gi, at + ".maxInstances", std::to_string(p.maxInstances) + " x " + std::to_string(p.memorySlices) +
                                               " memory slices exceed the GPU's " + std::to_string(g.memorySlices));
      }
      if (p.profileId && !profileIds.insert(*p.profileId).second) {
        gpuError(gi, at + ".profileId", "duplicate profile id " + std::to_string(*p.profileId) + " on this GPU");
      }
      checkPlacements(gi, at, g, p);
    }
  }

  void checkPlacements(size_t gi, const std::string& at, const GpuModel& g, const MigProfile& p) {
    if (p.placements.empty()) return;
    std::set<uint32_t> starts;
    for (size_t k = 0; k < p.placements.size(); ++k) {
      const Placement& pl = p.placements[k];
      std::string where = at + ".placementStarts[" + std::to_string(k) + "]";
      if (!starts.insert(pl.start).second) gpuError(gi, where, "duplicate placement start " + std::to_string(pl.start));
      if (pl.start + pl.size > g.memorySlices) {
        gpuError(gi, where, "placement " + std::to_string(pl.start) + ":" + std::to_string(pl.size) + " ends past the GPU's " +
                                std::to_string(g.memorySlices) + " memory slices");
      }
    }
    // The most instances that can coexist = the largest set of non-overlapping
    // placements (greedy by start is optimal for equal-size intervals).
    uint32_t fit = 0, nextFree = 0;
    for (uint32_t s : starts) {
      if (s >= nextFree) {
        ++fit;
        nextFree = s + p.memorySlices;
      }
    }
    if (fit < p.maxInstances) {
      gpuError(gi, at + ".placementStarts", "only " + std::to_string(fit) + " placements fit without overlapping, but maxInstances is " +
                                                std::to_string(p.maxInstances));
    }
  }

  void checkCuda() {
    const std::string* file = origins_ ? &origins_->cuda : nullptr;
    const CudaTable& t = data_.cuda;
    if (t.releases.empty()) sectionError(file, "cuda.releases", "must list at least one CUDA release");
    std::vector<size_t> order(t.releases.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return t.releases[a].version < t.releases[b].version; });
    const CudaRelease* prev = nullptr;
    for (size_t k = 0; k < order.size(); ++k) {
      const CudaRelease& r = t.releases[order[k]];
      std::string at = "cuda.releases[" + std::to_string(order[k]) + "]";
      if (r.version.size() < 2) sectionError(file, at + ".version", "must be major.minor[.patch]");
      if (k > 0 && t.releases[order[k - 1]].version == r.version) {
        sectionError(file, at + ".version", "duplicate CUDA release " + r.version.toString());
      }
      if (r.preRelease) continue;
      if (prev && r.linuxMinDriver < prev->linuxMinDriver) {
        sectionError(file, at + ".linuxMinDriver",
                     r.label + " requires " + r.linuxMinDriver.toString() + ", less than the older " + prev->label + " (" +
                         prev->linuxMinDriver.toString() + "); the table must not go backwards");
      }
      prev = &r;
    }
    std::set<uint32_t> majors;
    for (size_t i = 0; i < t.minorVersionCompatibility.size(); ++i) {
      const auto& f = t.minorVersionCompatibility[i];
      std::string at = "cuda.minorVersionCompatibility[" + std::to_string(i) + "]";
      if (!majors.insert(f.cudaMajor).second) sectionError(file, at + ".cudaMajor", "duplicate CUDA major " + std::to_string(f.cudaMajor));
      bool known = std::any_of(t.releases.begin(), t.releases.end(), [&](const CudaRelease& r) { return r.version.major() == f.cudaMajor; });
      if (!known) sectionError(file, at + ".cudaMajor", "no CUDA " + std::to_string(f.cudaMajor) + ".x release in cuda.releases");
    }
    std::set<Version> ccs;
    for (size_t i = 0; i < t.architectures.size(); ++i) {
      const Architecture& a = t.architectures[i];
      std::string at = "cuda.architectures[" + std::to_string(i) + "]";
      for (const Version& cc : a.computeCapabilities) {
        if (!ccs.insert(cc).second) sectionError(file, at + ".computeCapabilities", "compute capability " + cc.toString() + " is listed twice");
      }
      if (a.lastCudaMajor && *a.lastCudaMajor < a.firstCuda.major()) {
        sectionError(file, at + ".lastCudaMajor", "is before firstCuda " + a.firstCuda.toString());
      }
    }
    if (!t.architectures.empty()) {
      for (size_t i = 0; i < data_.gpus.size(); ++i) {
        if (!ccs.count(data_.gpus[i].computeCapability)) {
          gpuError(i, ".computeCapability", "compute capability " + data_.gpus[i].computeCapability.toString() +
                                                " is not in cuda.architectures");
        }
      }
    }
  }

  void checkDeclaration() {
    const std::string* file = origins_ ? &origins_->cudaDeclaration : nullptr;
    const CudaDeclaration& d = data_.cudaDeclaration;
    for (size_t i = 0; i < d.imageRules.size(); ++i) {
      const ImageRule& r = d.imageRules[i];
      std::string at = "cudaDeclaration.imageRules[" + std::to_string(i) + "]";
      size_t groups = 0;
      try {
        groups = std::regex(r.match, std::regex::ECMAScript).mark_count();
      } catch (const std::regex_error& e) {
        sectionError(file, at + ".match", std::string("regular expression does not compile: ") + e.what());
        continue;
      }
      if (!r.cudaVersion.empty() && r.cudaVersion[0] == '$') {
        size_t n = 0;
        bool digits = r.cudaVersion.size() > 1 &&
                      std::all_of(r.cudaVersion.begin() + 1, r.cudaVersion.end(), [](char c) { return c >= '0' && c <= '9'; });
        if (digits && r.cudaVersion.size() < 4) n = std::stoul(r.cudaVersion.substr(1));
        if (!digits || n == 0 || n > groups) {
          sectionError(file, at + ".cudaVersion", "\"" + r.cudaVersion + "\" is not a capture group of match (it has " +
                                                      std::to_string(groups) + ")");
        }
      } else if (auto v = Version::parse(r.cudaVersion); !v.ok()) {
        sectionError(file, at + ".cudaVersion", v.status().message());
      }
    }
  }

  void checkEnvList(const std::string* file, const std::string& at, const std::vector<EnvVar>& env) {
    static const std::regex kEnvName("^[A-Za-z_][A-Za-z0-9_]*$");
    std::set<std::string> seen;
    for (size_t i = 0; i < env.size(); ++i) {
      std::string p = at + "[" + std::to_string(i) + "].name";
      if (!std::regex_match(env[i].name, kEnvName)) sectionError(file, p, "\"" + env[i].name + "\" is not an environment variable name");
      if (!seen.insert(env[i].name).second) sectionError(file, p, "duplicate variable " + env[i].name);
    }
  }

  void checkMutation() {
    const std::string* file = origins_ ? &origins_->mutation : nullptr;
    const Mutation& m = data_.mutation;
    checkEnvList(file, "mutation.env.migSlice", m.migSliceEnv);
    checkEnvList(file, "mutation.env.wholeGpu", m.wholeGpuEnv);
    checkEnvList(file, "mutation.env.noGpu", m.noGpuEnv);
    checkEnvList(file, "mutation.ncclOnMig.env", m.ncclOnMigEnv);
  }

  void checkEnforcement() {
    const std::string* file = origins_ ? &origins_->enforcement : nullptr;
    const Enforcement& e = data_.enforcement;
    std::set<std::string> ids;
    for (size_t i = 0; i < e.rules.size(); ++i) {
      if (!ids.insert(e.rules[i].id).second) {
        sectionError(file, "enforcement.rules[" + std::to_string(i) + "].id", "duplicate rule id \"" + e.rules[i].id + "\"");
      }
    }
    for (size_t i = 0; i < e.overrides.size(); ++i) {
      const NamespaceOverride& o = e.overrides[i];
      std::string at = "enforcement.overrides[" + std::to_string(i) + "]";
      for (size_t k = 0; k < o.rules.size(); ++k) {
        if (!ids.count(o.rules[k])) {
          sectionError(file, at + ".rules[" + std::to_string(k) + "]", "unknown rule \"" + o.rules[k] + "\" (not in enforcement.rules)");
        }
      }
      if (o.namespaces.empty() && !o.matchLabels) {
        sectionError(file, at, "needs namespaces or namespaceSelector (use defaultAction or a rule's action for every namespace)");
      }
      if (o.matchLabels && o.matchLabels->empty()) {
        sectionError(file, at + ".namespaceSelector.matchLabels", "must not be empty (an empty selector would match every namespace)");
      }
    }
  }

  const PolicyData& data_;
  const SourceOrigins* origins_;
  Diagnostics out_;
};

}  // namespace

Diagnostics validatePolicy(const PolicyData& data, const SourceOrigins* origins) { return Checker(data, origins).run(); }

}  // namespace migwarden::policy
