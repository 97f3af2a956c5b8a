// migwardenctl policy explain: answers questions from the table and names the data row
// behind each answer.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "webhook/cmd/ctl/policy_command.h"

namespace migwarden::ctl::policycmd {
namespace {

constexpr const char* kExplainUsage =
    "usage: migwardenctl policy explain [--policy F]... QUERY\n\n"
    "queries:\n"
    "  --gpu MODEL                    a GPU model (table id, NVML name or GFD label) and its MIG profiles\n"
    "  --resource nvidia.com/mig-P    which GPU models have that profile, and its shape on each\n"
    "  --cuda V                       the driver CUDA V needs, and the architectures it targets\n"
    "  --cuda V --driver D [--gpu M | --cc X.Y] [--mig]\n"
    "                                 can CUDA V run on driver D (on that GPU, on MIG)?\n"
    "  --driver D                     the newest CUDA version driver D runs\n"
    "  --rule ID --namespace NS [--label k=v]...\n"
    "                                 the enforcement action for a rule in a namespace\n";

std::string join(const std::vector<std::string>& v, const char* sep = ", ") {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i) out += sep;
    out += v[i];
  }
  return out;
}

std::string placements(const policy::MigProfile& p) {
  if (p.placements.empty()) return "not published (NVML decides)";
  std::string out = "{";
  for (size_t i = 0; i < p.placements.size(); ++i) {
    if (i) out += ',';
    out += std::to_string(p.placements[i].start);
  }
  return out + "}:" + std::to_string(p.memorySlices);
}

void printGpu(const policy::GpuModel& g) {
  std::printf("GPU model %s (gpus[id=%s])\n", g.id.c_str(), g.id.c_str());
  if (!g.description.empty()) std::printf("  description:        %s\n", g.description.c_str());
  std::printf("  NVML product names: %s\n", join(g.productNames).c_str());
  std::vector<std::string> pci;
  for (uint32_t id : g.pciDeviceIds) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "0x%08X", id);
    pci.push_back(buf);
  }
  std::printf("  PCI device ids:     %s\n", join(pci).c_str());
  std::printf("  architecture:       %s, compute capability %s\n", g.architecture.c_str(), g.computeCapability.toString().c_str());
  std::printf("  slices:             %u memory, %u compute, at most %u GPU instances\n", g.memorySlices, g.computeSlices,
              g.maxGpuInstances);
  std::printf("  MIG minimum driver: %s\n", g.migMinDriver.empty() ? "(none listed)" : g.migMinDriver.toString().c_str());
  std::printf("  MIG profiles (%zu):\n", g.migProfiles.size());
  std::printf("    %-16s %-32s %7s %6s %4s %4s  %s\n", "profile", "resource", "compute", "memory", "max", "id", "placements");
  for (const auto& p : g.migProfiles) {
    std::printf("    %-16s %-32s %7u %6u %4u %4s  %s\n", p.name.c_str(), p.resourceName.c_str(), p.computeSlices, p.memorySlices,
                p.maxInstances, p.profileId ? std::to_string(*p.profileId).c_str() : "-", placements(p).c_str());
  }
}

std::optional<policy::Version> parseVersionArg(const char* what, const std::string& text) {
  auto v = policy::Version::parse(text);
  if (!v.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, v.status().message().c_str());
    return std::nullopt;
  }
  return *v;
}

}  // namespace

int runExplain(Args args) {
  std::vector<std::string> files, labelArgs;
  std::string gpu, resource, cuda, driver, cc, rule, ns;
  bool mig = false;
  for (size_t i = 0; i < args.size(); ++i) {
    auto a = args[i];
    auto next = [&](std::string& dst) {
      if (i + 1 < args.size()) dst = std::string(args[++i]);
    };
    if (a == "--help" || a == "-h") {
      std::printf("%s", kExplainUsage);
      return 0;
    }
    if (a == "--policy" && i + 1 < args.size()) files.emplace_back(args[++i]);
    else if (a == "--gpu") next(gpu);
    else if (a == "--resource") next(resource);
    else if (a == "--cuda") next(cuda);
    else if (a == "--driver") next(driver);
    else if (a == "--cc") next(cc);
    else if (a == "--rule") next(rule);
    else if (a == "--namespace") next(ns);
    else if (a == "--label" && i + 1 < args.size()) labelArgs.emplace_back(args[++i]);
    else if (a == "--mig") mig = true;
    else {
      std::fprintf(stderr, "explain: unknown argument \"%.*s\"\n\n%s", static_cast<int>(a.size()), a.data(), kExplainUsage);
      return 2;
    }
  }
  auto p = loadPolicyOrBuiltin(files);
  if (!p) return 1;
  std::printf("policy %s (%s)\n\n", p->data().name.c_str(), p->digest().c_str());

  const policy::GpuModel* model = nullptr;
  if (!gpu.empty()) {
    model = p->gpuByName(gpu);
    if (model == nullptr) {
      std::printf("no GPU model matches \"%s\" (by table id, NVML product name or GFD label)\n", gpu.c_str());
      return 1;
    }
  }

  if (!rule.empty()) {
    policy::Labels labels;
    for (const auto& kv : labelArgs) {
      auto eq = kv.find('=');
      labels[kv.substr(0, eq)] = eq == std::string::npos ? "" : kv.substr(eq + 1);
    }
    if (p->isIgnoredNamespace(ns)) {
      std::printf("namespace %s is in enforcement.ignoredNamespaces: the webhook never touches it\n", ns.c_str());
      return 0;
    }
    auto d = p->resolveAction(rule, ns, labels);
    std::printf("rule %s in namespace %s: %s (from %s)\n", rule.c_str(), ns.c_str(), std::string(policy::actionName(d.action)).c_str(),
                d.because.c_str());
    return 0;
  }

  if (!resource.empty()) {
    auto refs = p->profilesForResource(resource);
    if (refs.empty()) {
      std::printf("%s is not a MIG profile of any GPU model in the table (rule mig-profile-known)\n", resource.c_str());
      return 1;
    }
    std::printf("%s is profile on %zu GPU model(s):\n", resource.c_str(), refs.size());
    for (const auto& r : refs) {
      std::printf("  %-22s %-12s %u compute / %u of %u memory slices, max %u per GPU, placements %s (gpus[id=%s].migProfiles[name=%s])\n",
                  r.gpu->id.c_str(), r.profile->name.c_str(), r.profile->computeSlices, r.profile->memorySlices,
                  r.gpu->memorySlices, r.profile->maxInstances, placements(*r.profile).c_str(), r.gpu->id.c_str(),
                  r.profile->name.c_str());
    }
    return 0;
  }

  if (!cuda.empty()) {
    auto cv = parseVersionArg("--cuda", cuda);
    if (!cv) return 2;
    if (driver.empty()) {
      const auto* rel = p->cudaRelease(*cv);
      if (rel == nullptr) {
        std::printf("CUDA %s is not in cuda.releases\n", cv->toString().c_str());
        return 1;
      }
      std::printf("CUDA %s is held to %s: Linux driver >= %s (cuda.releases)\n", cv->toString().c_str(), rel->label.c_str(),
                  rel->linuxMinDriver.toString().c_str());
      if (const auto* f = p->minorVersionFloor(cv->major()); f && p->data().cuda.allowMinorVersionCompatibility) {
        std::printf("under minor-version compatibility any driver >= %s runs CUDA %u.x (cuda.minorVersionCompatibility)\n",
                    f->minDriver.toString().c_str(), f->cudaMajor);
      }
      std::printf("architectures it targets (cuda.architectures):\n");
      for (const auto& a : p->data().cuda.architectures) {
        bool ok = !(cv->truncated(2) < a.firstCuda) && !(a.lastCudaMajor && cv->major() > *a.lastCudaMajor);
        std::vector<std::string> ccs;
        for (const auto& c : a.computeCapabilities) ccs.push_back(c.toString());
        std::printf("  %-3s %-24s %s\n", ok ? "yes" : "no", a.name.c_str(), join(ccs).c_str());
      }
      return 0;
    }
    auto dv = parseVersionArg("--driver", driver);
    if (!dv) return 2;
    policy::CudaQuery q;
    q.cuda = *cv;
    q.driver = *dv;
    q.gpu = model;
    q.mig = mig;
    if (!cc.empty()) {
      auto c = parseVersionArg("--cc", cc);
      if (!c) return 2;
      q.computeCapability = *c;
    }
    auto v = p->checkCuda(q);
    std::printf("%s: %s\n  rule:   %s\n  reason: %s\n", v.compatible ? "COMPATIBLE" : "INCOMPATIBLE", v.message.c_str(),
                v.ruleId.c_str(), std::string(policy::cudaVerdictReasonName(v.reason)).c_str());
    if (v.release) std::printf("  row:    cuda.releases \"%s\" (>= %s)\n", v.release->label.c_str(), v.release->linuxMinDriver.toString().c_str());
    return v.compatible ? 0 : 1;
  }

  if (!driver.empty()) {
    auto dv = parseVersionArg("--driver", driver);
    if (!dv) return 2;
    auto c = p->cudaVersionOfDriver(*dv);
    if (!c) std::printf("driver %s is older than every row of cuda.releases\n", dv->toString().c_str());
    else std::printf("driver %s runs CUDA up to %s (newest cuda.releases row it meets)\n", dv->toString().c_str(), c->toString().c_str());
    return 0;
  }

  if (model) {
    printGpu(*model);
    return 0;
  }
  std::fprintf(stderr, "%s", kExplainUsage);
  return 2;
}

}  // namespace migwarden::ctl::policycmd
