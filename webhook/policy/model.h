// The policy table as plain typed data: what a policy source file describes, after
// parsing and before indexing. Policy (policy.h) owns one of these, validated and
// indexed; the serializer writes it back as the canonical JSON that the artifact digest
// covers. Field meanings are documented in docs/policy-reference.md and schema.json.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/policy/version.h"

namespace migwarden::policy {

enum class Action { kDeny, kWarn, kAudit };
std::string_view actionName(Action a);
std::optional<Action> parseAction(std::string_view text);

// A legal position of a GPU instance, in memory slices (nvmlGpuInstancePlacement_t).
struct Placement {
  uint32_t start = 0;
  uint32_t size = 0;
};

struct MigProfile {
  std::string name;           // "1g.5gb", "1g.24gb+me.all"
  std::string resourceName;   // "nvidia.com/mig-1g.5gb"; derived when the source omits it
  uint32_t computeSlices = 0;
  uint32_t memorySlices = 0;
  uint32_t memoryGB = 0;      // the <GB> of the name
  uint32_t maxInstances = 0;  // per GPU
  std::optional<uint32_t> profileId;  // nvidia-smi / NVML GI profile id, when known
  std::vector<Placement> placements;  // empty: not published; NVML decides at runtime
  std::string note;
};

struct GpuModel {
  std::string id;  // table key, e.g. "A100-40GB"
  std::string description;
  std::string architecture;
  std::vector<std::string> productNames;  // NVML names ("NVIDIA A100-SXM4-40GB")
  std::vector<uint32_t> pciDeviceIds;     // 0xDDDDVVVV as NVML reports pciDeviceId
  Version computeCapability;
  uint32_t memoryGB = 0;
  uint32_t memorySlices = 0;
  uint32_t computeSlices = 0;
  uint32_t maxGpuInstances = 0;
  Version migMinDriver;  // empty: no MIG minimum known
  std::vector<MigProfile> migProfiles;
};

struct CudaRelease {
  Version version;  // toolkit version; "Update N" is patch N
  std::string label;  // as NVIDIA prints it: "CUDA 12.4 Update 1"
  Version linuxMinDriver;
  bool preRelease = false;  // RC rows are never picked for a "major.minor" request
  std::string note;
};

struct MinorVersionFloor {
  uint32_t cudaMajor = 0;
  Version minDriver;
};

struct Architecture {
  std::string name;
  std::vector<Version> computeCapabilities;
  Version firstCuda;                       // first toolkit that targets it
  std::optional<uint32_t> lastCudaMajor;   // last toolkit major that targets it; none = ongoing
  std::string note;
};

struct CudaTable {
  std::vector<CudaRelease> releases;
  bool allowMinorVersionCompatibility = true;
  std::vector<MinorVersionFloor> minorVersionCompatibility;
  std::vector<Architecture> architectures;
};

struct ImageRule {
  std::string match;        // ECMAScript regex over the image reference
  std::string cudaVersion;  // "12.4" or "$1" (a capture group)
};

struct CudaDeclaration {
  std::string annotation = "migwarden.io/cuda-version";
  std::string label = "cuda.version";
  std::string requireEnv = "NVIDIA_REQUIRE_CUDA";
  std::string disableRequireEnv = "NVIDIA_DISABLE_REQUIRE";
  std::vector<ImageRule> imageRules;
};

struct EnvVar {
  std::string name;
  std::string value;
};

struct Toleration {
  std::string key;
  std::string op = "Exists";  // Kubernetes "operator"
  std::string value;
  std::string effect;
};

struct NodeLabels {
  std::string product = "nvidia.com/gpu.product";
  std::string driverMajor = "nvidia.com/cuda.driver-version.major";
  std::string driverMinor = "nvidia.com/cuda.driver-version.minor";
  std::string driverRevision = "nvidia.com/cuda.driver-version.revision";
  std::string migCapable = "nvidia.com/mig.capable";
  std::string migStrategy = "nvidia.com/mig.strategy";
  std::string migConfigState = "nvidia.com/mig.config.state";
};

struct Mutation {
  std::vector<EnvVar> migSliceEnv;
  std::vector<EnvVar> wholeGpuEnv;
  std::vector<EnvVar> noGpuEnv;
  std::vector<EnvVar> ncclOnMigEnv;
  uint32_t ncclOnMigMinCudaDriverMajor = 13;
  std::vector<Toleration> migSliceTolerations;
  std::vector<Toleration> wholeGpuTolerations;
  NodeLabels nodeLabels;
};

struct RuleSpec {
  std::string id;
  std::string description;
  std::optional<Action> action;  // none: enforcement.defaultAction
};

struct NamespaceOverride {
  std::vector<std::string> rules;  // empty: every rule
  Action action = Action::kWarn;
  std::vector<std::string> namespaces;
  std::optional<std::map<std::string, std::string>> matchLabels;  // namespaceSelector.matchLabels
};

struct Enforcement {
  Action defaultAction = Action::kDeny;
  std::vector<RuleSpec> rules;
  std::vector<NamespaceOverride> overrides;
  std::vector<std::string> ignoredNamespaces;
};

struct PolicyData {
  uint32_t formatVersion = 1;
  std::string name;
  std::vector<GpuModel> gpus;
  CudaTable cuda;
  CudaDeclaration cudaDeclaration;
  Mutation mutation;
  Enforcement enforcement;
};

// "nvidia.com/mig-" + name with '+' replaced by '.' (k8s-device-plugin mixed strategy).
std::string migResourceName(std::string_view profileName);

}  // namespace migwarden::policy
