// `migwardenctl audit verify`: checks the hash chain of an audit log and names the first
// removed, reordered, inserted, altered or truncated record. Exit 0 intact, 1 broken or
// unreadable, 2 usage error. `audit query` lives in audit_command_query.cpp.
#include "webhook/cmd/ctl/audit_command.h"

#include <cstdio>
#include <filesystem>
#include <string>
#include <string_view>

#include "webhook/audit/audit_files.h"
#include "webhook/audit/chain.h"
#include "webhook/audit/verify.h"

namespace migwarden::ctl {
namespace {

constexpr std::string_view kUsage =
    "usage: migwardenctl audit <verify|query> [args...]\n"
    "\n"
    "  verify   check the hash chain; exit 1 at the first broken record\n"
    "  query    print records filtered by time, namespace, pod, node, decision or rule\n"
    "\n"
    "`migwardenctl audit <subcommand> --help` describes each. See docs/audit.md.\n";

constexpr std::string_view kVerifyUsage =
    "usage: migwardenctl audit verify [--hmac-key FILE] PATH...\n"
    "\n"
    "Checks an audit log's hash chain: every line is a valid record, sequence numbers\n"
    "increase by one, each record's prev is the hash of the record before it, and each\n"
    "record's hash matches its bytes. PATHs are files in chain order, or a directory (its\n"
    "rotated files \"<log>.<seq>\" in order, then the active file).\n"
    "\n"
    "  --hmac-key FILE   the key the webhook was given with --audit-hmac-key\n"
    "\n"
    "Exit status: 0 chain intact (a summary is printed); 1 the first problem, naming the\n"
    "file, line, seq and what happened (removed, reordered, inserted, altered, truncated),\n"
    "or a file could not be read; 2 usage error.\n";

int usageError(const std::string& sub, const std::string& message) {
  std::fprintf(stderr, "migwardenctl audit %s: %s\n", sub.c_str(), message.c_str());
  return 2;
}

}  // namespace

Result<std::vector<std::string>> expandAuditPaths(Env& env, const std::vector<std::string>& paths) {
  std::vector<std::string> files;
  for (const auto& path : paths) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) {
      auto inDir = audit::chainFilesInDirectory(env, path);
      if (!inDir.ok()) return inDir.status();
      if (inDir->empty()) return Status::NotFound(path + ": no audit files in this directory");
      files.insert(files.end(), inDir->begin(), inDir->end());
    } else if (!env.fileExists(path)) {
      return Status::NotFound(path + ": no such file or directory");
    } else {
      files.push_back(path);
    }
  }
  return files;
}

int runAuditVerify(Args args) {
  std::string keyFile;
  std::vector<std::string> paths;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string_view arg = args[i];
    if (arg == "--help" || arg == "-h") {
      std::fwrite(kVerifyUsage.data(), 1, kVerifyUsage.size(), stdout);
      return 0;
    }
    if (arg == "--hmac-key") {
      if (i + 1 >= args.size()) return usageError("verify", "--hmac-key needs a file");
      keyFile = std::string(args[++i]);
    } else if (arg.starts_with("--hmac-key=")) {
      keyFile = std::string(arg.substr(11));
    } else if (arg.starts_with("-") && arg != "-") {
      return usageError("verify", "unknown flag \"" + std::string(arg) + "\" (see --help)");
    } else {
      paths.emplace_back(arg);
    }
  }
  if (paths.empty()) return usageError("verify", "at least one FILE or directory is required (see --help)");
  std::string key;
  if (!keyFile.empty()) {
    auto loaded = audit::loadHmacKeyFile(keyFile);
    if (!loaded.error.empty()) return usageError("verify", loaded.error);
    key = std::move(loaded.key);
  }
  PosixEnv env;
  auto files = expandAuditPaths(env, paths);
  if (!files.ok()) {
    std::fprintf(stderr, "migwardenctl audit verify: %s\n", files.status().message().c_str());
    return 1;
  }
  const audit::ChainHasher hasher(key);
  auto report = audit::verifyChain(*files, hasher, env);
  if (!report.ok()) {
    std::fprintf(stderr, "migwardenctl audit verify: %s\n", report.status().toString().c_str());
    return 1;
  }
  if (report->problem) {
    std::printf("FAILED: %s\n", audit::describeProblem(*report->problem).c_str());
    std::printf("%llu records verified before the problem\n", static_cast<unsigned long long>(report->records));
    return 1;
  }
  std::printf("%llu records, chain intact, first seq %llu, last seq %llu (%s, %zu file%s)\n",
              static_cast<unsigned long long>(report->records), static_cast<unsigned long long>(report->firstSeq),
              static_cast<unsigned long long>(report->lastSeq), hasher.keyed() ? "HMAC-SHA256" : "SHA-256",
              files->size(), files->size() == 1 ? "" : "s");
  if (report->records > 0 && !report->fromGenesis)
    std::printf("note: the chain starts at seq %llu; older records were rotated away, so the first record's prev "
                "is not checked\n",
                static_cast<unsigned long long>(report->firstSeq));
  return 0;
}

int runAuditCommand(Args args) {
  if (args.empty()) {
    std::fwrite(kUsage.data(), 1, kUsage.size(), stderr);
    return 2;
  }
  if (args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::fwrite(kUsage.data(), 1, kUsage.size(), stdout);
    return 0;
  }
  if (args[0] == "verify") return runAuditVerify(args.subspan(1));
  if (args[0] == "query") return runAuditQuery(args.subspan(1));
  std::fprintf(stderr, "migwardenctl audit: unknown subcommand \"%.*s\"\n\n", static_cast<int>(args[0].size()),
               args[0].data());
  std::fwrite(kUsage.data(), 1, kUsage.size(), stderr);
  return 2;
}

}  // namespace migwarden::ctl
