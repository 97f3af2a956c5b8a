// migwardenctl policy: check, compile, explain and test the GPU compatibility policy.
#include <cstdio>
#include <optional>
#include <string>
#include <vector>

#include "webhook/cmd/ctl/policy_command.h"
#include "webhook/common/env.h"
#include "webhook/policy/artifact.h"
#include "webhook/policy/builtin.h"

namespace migwarden::ctl {
namespace policycmd {
namespace {

constexpr const char* kUsage =
    "usage: migwardenctl policy <subcommand> [args...]\n\n"
    "subcommands:\n"
    "  check SRC...                        validate policy sources; print every problem (file, JSON path, reason)\n"
    "  compile SRC... -o OUT [--sign KEY]  validate and write the compiled artifact the webhook loads (--policy)\n"
    "  explain [--policy F] QUERY          answer a question from the table (see `explain --help`)\n"
    "  test [--policy F] CASES...          run policy test cases (files or directories of *.json)\n\n"
    "Without --policy, explain and test use the built-in table.\n";

bool wantsHelp(Args args) {
  for (auto a : args) {
    if (a == "--help" || a == "-h") return true;
  }
  return false;
}

}  // namespace

std::shared_ptr<const policy::Policy> loadPolicyOrBuiltin(const std::vector<std::string>& files) {
  PosixEnv env;
  if (files.empty()) {
    auto p = policy::loadBuiltinPolicy();
    if (!p.ok()) {
      std::fprintf(stderr, "built-in policy: %s\n", p.status().message().c_str());
      return nullptr;
    }
    return *p;
  }
  if (files.size() == 1) {
    auto p = policy::loadPolicyFile(env, files[0]);
    if (!p.ok()) {
      std::fprintf(stderr, "%s\n", p.status().message().c_str());
      return nullptr;
    }
    return *p;
  }
  auto r = policy::compileSourceFiles(env, files);
  if (!r.policy) std::fprintf(stderr, "%s", policy::formatDiagnostics(r.errors).c_str());
  return r.policy;
}

int runCheck(Args args) {
  if (wantsHelp(args) || args.empty()) {
    std::fprintf(args.empty() ? stderr : stdout,
                 "usage: migwardenctl policy check SRC...\n\n"
                 "Validates policy sources (JSON with comments) as one policy: syntax (with line and\n"
                 "column), schema (unknown fields, types, ranges) and semantics (duplicate GPUs or\n"
                 "profiles, placements, CUDA rows going backwards, dangling rule references, regexes).\n"
                 "Prints every problem as FILE: JSON.PATH: reason. Exit 0 when valid, 1 otherwise.\n");
    return args.empty() ? 2 : 0;
  }
  std::vector<std::string> files(args.begin(), args.end());
  PosixEnv env;
  auto r = policy::compileSourceFiles(env, files);
  if (!r.policy) {
    std::fprintf(stderr, "%s", policy::formatDiagnostics(r.errors).c_str());
    std::fprintf(stderr, "%zu problem(s)\n", r.errors.size());
    return 1;
  }
  const auto& d = r.policy->data();
  size_t profiles = 0;
  for (const auto& g : d.gpus) profiles += g.migProfiles.size();
  std::printf("ok: %zu GPU models, %zu MIG profiles, %zu CUDA releases, %zu rules; digest %s\n", d.gpus.size(), profiles,
              d.cuda.releases.size(), d.enforcement.rules.size(), r.policy->digest().c_str());
  return 0;
}

int runCompile(Args args) {
  std::vector<std::string> files;
  std::string out, signKey;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-o" && i + 1 < args.size()) out = std::string(args[++i]);
    else if (args[i] == "--sign" && i + 1 < args.size()) signKey = std::string(args[++i]);
    else if (args[i] == "--help" || args[i] == "-h") out = "--help";
    else files.emplace_back(args[i]);
  }
  if (out == "--help" || out.empty() || files.empty()) {
    std::fprintf(out == "--help" ? stdout : stderr,
                 "usage: migwardenctl policy compile SRC... -o OUT [--sign KEY.pem]\n\n"
                 "Validates the sources (as `check`) and writes the compiled artifact: canonical JSON\n"
                 "with a format version and the SHA-256 policy digest. The webhook loads it with\n"
                 "--policy OUT and refuses it if the digest does not match the content.\n"
                 "--sign signs the digest with an Ed25519 or ECDSA P-256 private key (PEM); a webhook\n"
                 "started with --policy-pubkey refuses unsigned or wrongly signed artifacts.\n");
    return out == "--help" ? 0 : 2;
  }
  PosixEnv env;
  auto r = policy::compileSourceFiles(env, files);
  if (!r.policy) {
    std::fprintf(stderr, "%s", policy::formatDiagnostics(r.errors).c_str());
    return 1;
  }
  std::optional<policy::ArtifactSignature> signature;
  if (!signKey.empty()) {
    auto pem = env.readFile(signKey);
    if (!pem.ok()) {
      std::fprintf(stderr, "%s: %s\n", signKey.c_str(), pem.status().message().c_str());
      return 1;
    }
    auto sig = policy::signDigest(r.policy->digest(), *pem);
    if (!sig.ok()) {
      std::fprintf(stderr, "%s: %s\n", signKey.c_str(), sig.status().message().c_str());
      return 1;
    }
    signature = std::move(*sig);
  }
  auto st = env.writeFileAtomically(out, policy::buildArtifact(*r.policy, signature ? &*signature : nullptr));
  if (!st.ok()) {
    std::fprintf(stderr, "%s: %s\n", out.c_str(), st.message().c_str());
    return 1;
  }
  std::printf("wrote %s (%s%s)\n", out.c_str(), r.policy->digest().c_str(),
              signature ? (", signed " + signature->algorithm).c_str() : "");
  return 0;
}

}  // namespace policycmd

int runPolicyCommand(Args args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fprintf(args.empty() ? stderr : stdout, "%s", policycmd::kUsage);
    return args.empty() ? 2 : 0;
  }
  Args rest = args.subspan(1);
  if (args[0] == "check") return policycmd::runCheck(rest);
  if (args[0] == "compile") return policycmd::runCompile(rest);
  if (args[0] == "explain") return policycmd::runExplain(rest);
  if (args[0] == "test") return policycmd::runTest(rest);
  std::fprintf(stderr, "migwardenctl policy: unknown subcommand \"%.*s\"\n\n%s", static_cast<int>(args[0].size()),
               args[0].data(), policycmd::kUsage);
  return 2;
}

}  // namespace migwarden::ctl
