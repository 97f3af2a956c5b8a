// Problems found in a policy source or artifact, each naming the file, the JSON path
// and the reason, e.g.
//   policies/default.jsonc: gpus[2].migProfiles[1].memorySlices: must be 1..8
// Loaders collect every problem they can find instead of stopping at the first, so
// `migwardenctl policy check` shows an author the whole list at once.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "webhook/common/status.h"

namespace migwarden::policy {

struct Diagnostic {
  std::string file;     // may be empty (built-in or in-memory source)
  std::string path;     // JSON path; empty for document-level problems (syntax errors)
  std::string message;  // the reason; syntax errors include line and column

  std::string toString() const;
};

using Diagnostics = std::vector<Diagnostic>;

// One line per diagnostic.
std::string formatDiagnostics(const Diagnostics& diagnostics);

// InvalidArgument status listing every diagnostic (Ok when there are none).
Status diagnosticsToStatus(const Diagnostics& diagnostics);

}  // namespace migwarden::policy
