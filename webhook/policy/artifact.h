// The compiled policy artifact: what `migwardenctl policy compile` writes, what the build
// embeds into the webhook, and what `--policy F` loads. Layout (JSON, one line):
//   {"format":"migwarden.io/policy-artifact","formatVersion":1,
//    "digest":"sha256:<hex of the canonical policy text>","policy":{...canonical...}}
// Loading checks the format and version, recomputes the digest over the policy member
// exactly as stored, then runs the same parser and validator as for sources, so a
// built-in table and a file table go through one path. Pure functions, thread-safe;
// fuzz-friendly (bytes in, Result out; corrupted or truncated input is refused).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/common/env.h"
#include "webhook/common/status.h"
#include "webhook/policy/artifact_signing.h"
#include "webhook/policy/diagnostics.h"
#include "webhook/policy/policy.h"
#include "webhook/policy/source_parser.h"

namespace migwarden::policy {

inline constexpr std::string_view kArtifactFormat = "migwarden.io/policy-artifact";
inline constexpr uint32_t kArtifactFormatVersion = 1;

struct CompileResult {
  std::shared_ptr<const Policy> policy;  // null when there are errors
  Diagnostics errors;
};

// Sources -> validated Policy (parse every file, merge, validate).
CompileResult compileSources(const std::vector<SourceInput>& inputs);

// The artifact bytes for a policy, optionally with a signature of its digest.
std::string buildArtifact(const Policy& policy, const ArtifactSignature* signature = nullptr);

struct ArtifactLoadOptions {
  // PEM public key (Ed25519 or ECDSA P-256). When set, an unsigned or wrongly signed
  // artifact is refused (PermissionDenied); when empty, signatures are not checked.
  std::string requiredPublicKeyPem;
};

// `file` only names the input in errors.
Result<std::shared_ptr<const Policy>> loadArtifact(std::string_view bytes, std::string_view file = "",
                                                   const ArtifactLoadOptions& options = {});

// True when the bytes look like an artifact (rather than a policy source).
bool looksLikeArtifact(std::string_view bytes);

// Reads source files through `env` (for the CLI); read errors become diagnostics.
CompileResult compileSourceFiles(Env& env, const std::vector<std::string>& paths);

// Loads either an artifact or a policy source file.
Result<std::shared_ptr<const Policy>> loadPolicyFile(Env& env, const std::string& path);

}  // namespace migwarden::policy
