#include "webhook/policy/artifact.h"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "webhook/common/crypto.h"
#include "webhook/common/json_util.h"
#include "webhook/policy/validator.h"

namespace migwarden::policy {

CompileResult compileSources(const std::vector<SourceInput>& inputs) {
  CompileResult out;
  ParsedSources parsed = parseSources(inputs);
  if (!parsed.data) {
    out.errors = std::move(parsed.errors);
    return out;
  }
  // Validate here (with origins) rather than inside create(), so errors name the files.
  out.errors = validatePolicy(*parsed.data, &parsed.origins);
  if (!out.errors.empty()) return out;
  auto policy = Policy::create(std::move(*parsed.data), &parsed.origins);
  if (!policy.ok()) {
    out.errors.push_back({"", "", policy.status().message()});
    return out;
  }
  out.policy = std::move(*policy);
  return out;
}

std::string buildArtifact(const Policy& policy, const ArtifactSignature* signature) {
  std::string out = "{\"format\":\"";
  out += kArtifactFormat;
  out += "\",\"formatVersion\":" + std::to_string(kArtifactFormatVersion);
  out += ",\"digest\":\"" + policy.digest() + "\"";
  if (signature) {
    // Algorithm names and base64 need no JSON escaping.
    out += ",\"signature\":{\"algorithm\":\"" + signature->algorithm + "\",\"value\":\"" + signature->value + "\"}";
  }
  out += ",\"policy\":";
  out += policy.canonicalJson();
  out += "}\n";
  return out;
}

bool looksLikeArtifact(std::string_view bytes) {
  return bytes.find(kArtifactFormat) != std::string_view::npos && bytes.find("\"policy\"") != std::string_view::npos &&
         bytes.substr(0, 64).find("\"format\"") != std::string_view::npos;
}

Result<std::shared_ptr<const Policy>> loadArtifact(std::string_view bytes, std::string_view file,
                                                   const ArtifactLoadOptions& options) {
  std::string where = file.empty() ? "policy artifact" : "policy artifact " + std::string(file);
  auto doc = json::parse(bytes);
  if (!doc.ok()) return Status::InvalidArgument(where + ": " + doc.status().message() + " (corrupted or truncated?)");
  if (!doc->IsObject()) return Status::InvalidArgument(where + ": not a JSON object");
  auto format = json::optionalString(*doc, "format", "");
  if (!format.ok() || !format->has_value() || **format != kArtifactFormat) {
    return Status::InvalidArgument(where + ": format is not \"" + std::string(kArtifactFormat) +
                                   "\" (compile sources with `migwardenctl policy compile`)");
  }
  auto version = json::optionalInt(*doc, "formatVersion", "");
  if (!version.ok() || !version->has_value()) return Status::InvalidArgument(where + ": formatVersion is missing");
  if (**version != static_cast<int64_t>(kArtifactFormatVersion)) {
    return Status::InvalidArgument(where + ": formatVersion " + std::to_string(**version) + " is not supported (this build reads " +
                                   std::to_string(kArtifactFormatVersion) + ")");
  }
  auto digest = json::optionalString(*doc, "digest", "");
  if (!digest.ok() || !digest->has_value()) return Status::InvalidArgument(where + ": digest is missing");
  const rapidjson::Value* policy = json::find(*doc, "policy");
  if (policy == nullptr || !policy->IsObject()) return Status::InvalidArgument(where + ": policy is missing");

  // The digest covers the canonical text. Re-serializing the parsed member with the same
  // compact writer reproduces it byte for byte, so whitespace changes are harmless and
  // any change of content is caught.
  std::string canonical = json::toString(*policy);
  std::string actual = "sha256:" + crypto::sha256Hex(canonical);
  if (actual != **digest) {
    return Status::InvalidArgument(where + ": digest mismatch: header says " + **digest + ", content is " + actual +
                                   " (the artifact was altered or corrupted)");
  }
  if (!options.requiredPublicKeyPem.empty()) {
    ArtifactSignature sig;
    const rapidjson::Value* s = json::find(*doc, "signature");
    if (s == nullptr) return Status::PermissionDenied(where + ": unsigned, but a policy public key is configured");
    if (!s->IsObject()) return Status::PermissionDenied(where + ": signature must be an object");
    auto algorithm = json::optionalString(*s, "algorithm", "signature");
    auto value = json::optionalString(*s, "value", "signature");
    if (!algorithm.ok() || !value.ok() || !algorithm->has_value() || !value->has_value()) {
      return Status::PermissionDenied(where + ": signature needs algorithm and value");
    }
    sig.algorithm = **algorithm;
    sig.value = **value;
    Status verified = verifyDigestSignature(actual, sig, options.requiredPublicKeyPem);
    if (!verified.ok()) return verified.withContext(where);
  }
  Diagnostics errors;
  auto fragment = parseSourceValue(*policy, where, errors);
  if (!fragment) return diagnosticsToStatus(errors);
  PolicyData data;
  data.name = fragment->name.value_or("");
  data.gpus = std::move(fragment->gpus);
  if (!fragment->cuda) return Status::InvalidArgument(where + ": policy.cuda is missing");
  data.cuda = std::move(*fragment->cuda);
  if (fragment->cudaDeclaration) data.cudaDeclaration = std::move(*fragment->cudaDeclaration);
  if (fragment->mutation) data.mutation = std::move(*fragment->mutation);
  if (fragment->enforcement) data.enforcement = std::move(*fragment->enforcement);
  auto built = Policy::create(std::move(data));
  if (!built.ok()) return built.status().withContext(where);
  if ((*built)->digest() != actual) {
    // Content this build would serialize differently (e.g. written by another version).
    return Status::InvalidArgument(where + ": content is not in canonical form (recompile it with this version)");
  }
  return built;
}

CompileResult compileSourceFiles(Env& env, const std::vector<std::string>& paths) {
  std::vector<SourceInput> inputs;
  CompileResult out;
  for (const auto& p : paths) {
    auto text = env.readFile(p);
    if (!text.ok()) {
      out.errors.push_back({p, "", text.status().message()});
      continue;
    }
    inputs.push_back({p, std::move(*text)});
  }
  if (!out.errors.empty()) return out;
  return compileSources(inputs);
}

Result<std::shared_ptr<const Policy>> loadPolicyFile(Env& env, const std::string& path) {
  auto text = env.readFile(path);
  if (!text.ok()) return text.status().withContext(path);
  if (looksLikeArtifact(*text)) return loadArtifact(*text, path);
  CompileResult r = compileSources({{path, std::move(*text)}});
  if (!r.policy) return diagnosticsToStatus(r.errors);
  return r.policy;
}

}  // namespace migwarden::policy
