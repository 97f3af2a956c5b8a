// Policy: the validated, indexed, immutable policy table, and the pure queries the
// admission rules call at request time. Every lookup is precomputed at load (hash maps,
// sorted vectors, compiled regexes): nothing here parses table text per request.
// Thread-safety: immutable after create(); share it as shared_ptr<const Policy> (see
// PolicyStore) and call any const method from any thread.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "webhook/common/status.h"
#include "webhook/policy/diagnostics.h"
#include "webhook/policy/model.h"
#include "webhook/policy/source_parser.h"

namespace migwarden::policy {

// "NVIDIA A100-SXM4-40GB", "NVIDIA-A100-SXM4-40GB" (GFD label) and "a100-sxm4-40gb" all
// normalize to "A100-SXM4-40GB": upper case, spaces and underscores to '-', no "NVIDIA-".
std::string normalizeGpuName(std::string_view name);

struct ProfileRef {
  const GpuModel* gpu = nullptr;
  const MigProfile* profile = nullptr;
};

// Stable rule ids the compatibility verdicts report (also listed in enforcement.rules).
inline constexpr std::string_view kRuleCudaDriver = "cuda-driver-compatible";
inline constexpr std::string_view kRuleCudaArchitecture = "cuda-architecture-supported";
inline constexpr std::string_view kRuleMigDriver = "mig-driver-minimum";

enum class CudaVerdictReason {
  kDriverMeetsToolkitMinimum,   // compatible: driver >= the release's minimum
  kMinorVersionCompatibility,   // compatible in limited-feature mode (same major family)
  kDriverTooOld,
  kUnknownCudaVersion,          // not in cuda.releases: the table cannot vouch for it
  kArchitectureUnsupported,     // this CUDA major does not target the GPU's compute capability
  kUnknownComputeCapability,
  kMigDriverTooOld,             // driver below the GPU model's MIG minimum
};
std::string_view cudaVerdictReasonName(CudaVerdictReason r);

struct CudaVerdict {
  bool compatible = false;
  CudaVerdictReason reason = CudaVerdictReason::kUnknownCudaVersion;
  std::string ruleId;    // which enforcement rule this verdict belongs to
  std::string message;   // for people: names the data row behind the answer
  const CudaRelease* release = nullptr;  // the cuda.releases row used, if any
  Version requiredDriver;                // the minimum that applied, if any
};

struct CudaQuery {
  Version cuda;    // what the pod needs ("12.4" or "12.4.1")
  Version driver;  // node kernel driver ("550.54.15")
  std::optional<Version> computeCapability;  // defaults to gpu->computeCapability
  const GpuModel* gpu = nullptr;             // for the MIG minimum driver
  bool mig = false;                          // the pod uses MIG slices
};

struct ActionDecision {
  Action action = Action::kDeny;
  std::string because;  // "enforcement.overrides[0] (namespaceSelector)", "rule action", "defaultAction"
};

using Labels = std::map<std::string, std::string, std::less<>>;

class Policy {
 public:
  // Validates (validator.h) and indexes. Errors list every diagnostic.
  static Result<std::shared_ptr<const Policy>> create(PolicyData data, const SourceOrigins* origins = nullptr);

  Policy(const Policy&) = delete;
  Policy& operator=(const Policy&) = delete;

  const PolicyData& data() const { return data_; }
  // "sha256:<hex>" of the canonical serialization: the policy digest in annotations,
  // audit records and /metrics.
  const std::string& digest() const { return digest_; }
  const std::string& canonicalJson() const { return canonical_; }

  // --- GPU models and MIG profiles
  const GpuModel* gpuById(std::string_view id) const;
  const GpuModel* gpuByPciDeviceId(uint32_t pciDeviceId) const;
  // NVML product name, GFD nvidia.com/gpu.product label value, or table id.
  const GpuModel* gpuByName(std::string_view name) const;
  // Every (GPU model, profile) that the device-plugin resource names; empty if unknown.
  std::span<const ProfileRef> profilesForResource(std::string_view resourceName) const;
  const MigProfile* profile(const GpuModel& gpu, std::string_view profileName) const;
  const MigProfile* profileForResource(const GpuModel& gpu, std::string_view resourceName) const;

  // --- CUDA
  // The release row a request for `cuda` is held to: "12.4" -> 12.4 GA; "12.4.1" -> that
  // update (or the newest update at or below it). nullptr when the table lacks it.
  const CudaRelease* cudaRelease(const Version& cuda) const;
  std::optional<Version> minDriverFor(const Version& cuda) const;
  // The newest CUDA major.minor whose minimum the driver meets (what cuDriverGetVersion
  // would report), from the table.
  std::optional<Version> cudaVersionOfDriver(const Version& driver) const;
  const MinorVersionFloor* minorVersionFloor(uint32_t cudaMajor) const;
  const Architecture* architectureOf(const Version& computeCapability) const;
  CudaVerdict checkCuda(const CudaQuery& query) const;
  CudaVerdict isCudaCompatible(const Version& cuda, const Version& driver, const Version& computeCapability,
                               bool mig = false) const;
  // The first image rule matching `image`, resolved to a version. References longer than
  // kMaxImageReferenceLength never match.
  static constexpr size_t kMaxImageReferenceLength = 1024;
  std::optional<Version> cudaFromImage(std::string_view image) const;

  // --- enforcement
  bool isIgnoredNamespace(std::string_view ns) const;
  ActionDecision resolveAction(std::string_view ruleId, std::string_view ns, const Labels& namespaceLabels) const;
  // Same answer as resolveAction(), without building the explanation (request path).
  Action actionFor(std::string_view ruleId, std::string_view ns, const Labels& namespaceLabels) const;

 private:
  explicit Policy(PolicyData data);
  void buildIndexes();
  // Index of the first override matching (rule, namespace); -1 when none does.
  int matchingOverride(std::string_view ruleId, std::string_view ns, const Labels& namespaceLabels, bool* byName) const;

  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  template <typename V>
  using StringMap = std::unordered_map<std::string, V, StringHash, std::equal_to<>>;

  PolicyData data_;
  std::string canonical_;
  std::string digest_;
  StringMap<const GpuModel*> gpuById_;
  StringMap<const GpuModel*> gpuByName_;
  std::unordered_map<uint32_t, const GpuModel*> gpuByPci_;
  StringMap<std::vector<ProfileRef>> profilesByResource_;
  std::vector<const CudaRelease*> releases_;  // ascending version
  std::vector<std::pair<Version, const Architecture*>> archByCc_;  // ascending cc
  std::vector<std::regex> imageRegexes_;
  StringMap<Action> ruleActions_;
  StringMap<bool> ignored_;
};

}  // namespace migwarden::policy
