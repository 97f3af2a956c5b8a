// Policy's CUDA queries: release lookup, driver floors, architecture support and the
// combined verdict. Split from policy.cpp to keep each file about one concern.
#include <algorithm>

#include "webhook/policy/policy.h"

namespace migwarden::policy {

std::string_view cudaVerdictReasonName(CudaVerdictReason r) {
  switch (r) {
    case CudaVerdictReason::kDriverMeetsToolkitMinimum: return "driver-meets-toolkit-minimum";
    case CudaVerdictReason::kMinorVersionCompatibility: return "minor-version-compatibility";
    case CudaVerdictReason::kDriverTooOld: return "driver-too-old";
    case CudaVerdictReason::kUnknownCudaVersion: return "unknown-cuda-version";
    case CudaVerdictReason::kArchitectureUnsupported: return "architecture-unsupported";
    case CudaVerdictReason::kUnknownComputeCapability: return "unknown-compute-capability";
    case CudaVerdictReason::kMigDriverTooOld: return "mig-driver-too-old";
  }
  return "unknown";
}

const CudaRelease* Policy::cudaRelease(const Version& cuda) const {
  Version key = cuda.truncated(2);
  auto lo = std::lower_bound(releases_.begin(), releases_.end(), key,
                             [](const CudaRelease* r, const Version& k) { return r->version.truncated(2) < k; });
  auto hi = std::upper_bound(lo, releases_.end(), key,
                             [](const Version& k, const CudaRelease* r) { return k < r->version.truncated(2); });
  if (lo == hi) return nullptr;
  const CudaRelease* ga = nullptr;
  for (auto it = lo; it != hi && ga == nullptr; ++it) {
    if (!(*it)->preRelease) ga = *it;
  }
  if (cuda.size() < 3) return ga;
  const CudaRelease* best = nullptr;
  for (auto it = lo; it != hi; ++it) {
    if ((*it)->version == cuda) return *it;
    if (!(*it)->preRelease && (*it)->version <= cuda) best = *it;
  }
  return best ? best : ga;
}

std::optional<Version> Policy::minDriverFor(const Version& cuda) const {
  const CudaRelease* r = cudaRelease(cuda);
  if (r == nullptr) return std::nullopt;
  return r->linuxMinDriver;
}

std::optional<Version> Policy::cudaVersionOfDriver(const Version& driver) const {
  for (auto it = releases_.rbegin(); it != releases_.rend(); ++it) {
    if (!(*it)->preRelease && (*it)->linuxMinDriver <= driver) return (*it)->version.truncated(2);
  }
  return std::nullopt;
}

const MinorVersionFloor* Policy::minorVersionFloor(uint32_t cudaMajor) const {
  for (const MinorVersionFloor& f : data_.cuda.minorVersionCompatibility) {
    if (f.cudaMajor == cudaMajor) return &f;
  }
  return nullptr;
}

const Architecture* Policy::architectureOf(const Version& computeCapability) const {
  auto it = std::lower_bound(archByCc_.begin(), archByCc_.end(), computeCapability,
                             [](const auto& e, const Version& cc) { return e.first < cc; });
  if (it == archByCc_.end() || it->first != computeCapability) return nullptr;
  return it->second;
}

namespace {

CudaVerdict verdict(bool ok, CudaVerdictReason reason, std::string_view rule, std::string message) {
  CudaVerdict v;
  v.compatible = ok;
  v.reason = reason;
  v.ruleId = std::string(rule);
  v.message = std::move(message);
  return v;
}

}  // namespace

CudaVerdict Policy::checkCuda(const CudaQuery& q) const {
  const std::string cuda = "CUDA " + q.cuda.toString();
  std::optional<Version> cc = q.computeCapability;
  if (!cc && q.gpu) cc = q.gpu->computeCapability;
  if (cc && !archByCc_.empty()) {
    const Architecture* arch = architectureOf(*cc);
    if (arch == nullptr) {
      return verdict(false, CudaVerdictReason::kUnknownComputeCapability, kRuleCudaArchitecture,
                     "compute capability " + cc->toString() + " is not in cuda.architectures");
    }
    std::string what = arch->name + " (compute capability " + cc->toString() + ")";
    if (q.cuda.truncated(2) < arch->firstCuda) {
      return verdict(false, CudaVerdictReason::kArchitectureUnsupported, kRuleCudaArchitecture,
                     cuda + " predates " + what + ": its first toolkit is CUDA " + arch->firstCuda.toString() +
                         " (cuda.architectures: " + arch->name + ")");
    }
    if (arch->lastCudaMajor && q.cuda.major() > *arch->lastCudaMajor) {
      return verdict(false, CudaVerdictReason::kArchitectureUnsupported, kRuleCudaArchitecture,
                     cuda + " no longer supports " + what + ": its last toolkit is CUDA " +
                         std::to_string(*arch->lastCudaMajor) + ".x (cuda.architectures: " + arch->name + ")");
    }
  }

  const CudaRelease* rel = cudaRelease(q.cuda);
  if (rel == nullptr) {
    return verdict(false, CudaVerdictReason::kUnknownCudaVersion, kRuleCudaDriver,
                   cuda + " is not in cuda.releases; the table cannot tell which driver it needs");
  }
  const std::string driver = "driver " + q.driver.toString();
  CudaVerdict v;
  if (q.driver >= rel->linuxMinDriver) {
    v = verdict(true, CudaVerdictReason::kDriverMeetsToolkitMinimum, kRuleCudaDriver,
                driver + " meets " + rel->label + " (requires >= " + rel->linuxMinDriver.toString() + ")");
  } else if (const MinorVersionFloor* floor = minorVersionFloor(q.cuda.major());
             floor && data_.cuda.allowMinorVersionCompatibility && q.driver >= floor->minDriver) {
    v = verdict(true, CudaVerdictReason::kMinorVersionCompatibility, kRuleCudaDriver,
                driver + " is below " + rel->label + " (>= " + rel->linuxMinDriver.toString() +
                    ") but runs CUDA " + std::to_string(floor->cudaMajor) + ".x under minor-version compatibility (>= " +
                    floor->minDriver.toString() + "); features that need a newer driver and PTX JIT of newer PTX fail");
    v.requiredDriver = floor->minDriver;
  } else {
    std::string floorText;
    if (const MinorVersionFloor* floor = minorVersionFloor(q.cuda.major())) {
      floorText = data_.cuda.allowMinorVersionCompatibility
                      ? " or >= " + floor->minDriver.toString() + " for minor-version compatibility"
                      : "";
    }
    v = verdict(false, CudaVerdictReason::kDriverTooOld, kRuleCudaDriver,
                driver + " is too old for " + rel->label + ": requires >= " + rel->linuxMinDriver.toString() + floorText);
  }
  v.release = rel;
  if (v.requiredDriver.empty()) v.requiredDriver = rel->linuxMinDriver;
  if (!v.compatible) return v;

  if (q.mig && q.gpu && !q.gpu->migMinDriver.empty() && q.driver < q.gpu->migMinDriver) {
    CudaVerdict m = verdict(false, CudaVerdictReason::kMigDriverTooOld, kRuleMigDriver,
                            driver + " is below the MIG minimum for " + q.gpu->id + " (>= " +
                                q.gpu->migMinDriver.toString() + ", gpus[" + q.gpu->id + "].migMinDriver)");
    m.release = rel;
    m.requiredDriver = q.gpu->migMinDriver;
    return m;
  }
  return v;
}

CudaVerdict Policy::isCudaCompatible(const Version& cuda, const Version& driver, const Version& computeCapability,
                                     bool mig) const {
  CudaQuery q;
  q.cuda = cuda;
  q.driver = driver;
  q.computeCapability = computeCapability;
  q.mig = mig;
  return checkCuda(q);
}

}  // namespace migwarden::policy
