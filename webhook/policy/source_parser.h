// Policy source parsing: JSON with comments and trailing commas (policies/*.jsonc) into
// typed PolicyData. Structural problems (syntax, wrong types, out-of-range numbers,
// unknown fields, unparsable versions) are all collected with file and JSON path;
// cross-field rules live in validator.h. A policy may be split across files: GPU lists
// concatenate, every other section may appear in one file only. Pure functions,
// thread-safe; fuzz-friendly (bytes in, result out, never throws or crashes).
#pragma once

#include <rapidjson/document.h>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/policy/diagnostics.h"
#include "webhook/policy/model.h"

namespace migwarden::policy {

// What one source file contributes. Sections the file does not mention stay empty.
struct SourceFragment {
  std::string file;
  std::optional<std::string> name;
  std::vector<GpuModel> gpus;
  std::optional<CudaTable> cuda;
  std::optional<CudaDeclaration> cudaDeclaration;
  std::optional<Mutation> mutation;
  std::optional<Enforcement> enforcement;
};

struct SourceInput {
  std::string file;  // used in diagnostics
  std::string text;
};

// Where each part of a merged policy came from, so semantic errors name the right file.
struct SourceOrigins {
  struct Gpu {
    std::string file;
    size_t index = 0;  // index in that file's "gpus"
  };
  std::vector<Gpu> gpus;
  std::string cuda, cudaDeclaration, mutation, enforcement;
};

struct ParsedSources {
  std::optional<PolicyData> data;  // set when there were no diagnostics
  SourceOrigins origins;
  Diagnostics errors;
};

// One file. `allowComments` is false for the canonical form inside an artifact.
std::optional<SourceFragment> parseSourceFragment(std::string_view text, std::string_view file, Diagnostics& errors,
                                                  bool allowComments = true);
std::optional<SourceFragment> parseSourceValue(const rapidjson::Value& root, std::string_view file,
                                               Diagnostics& errors);

// Parses and merges several files (structure only; see validatePolicy for semantics).
ParsedSources parseSources(const std::vector<SourceInput>& inputs);

}  // namespace migwarden::policy
