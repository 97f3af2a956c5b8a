// Where the audit chain lives on disk. The active file is the configured path; when it
// reaches the size limit it is renamed to "<path>.<first seq, 20 digits>", so rotated
// files sort by name in chain order and the active file comes last. Pure helpers plus a
// reader for the chain's tail; no state, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/common/env.h"
#include "webhook/common/status.h"

namespace migwarden::audit {

std::string rotatedFileName(const std::string& activePath, uint64_t firstSeq);

// Rotated files of `activePath` in chain order (full paths), oldest first.
Result<std::vector<std::string>> listRotatedFiles(Env& env, const std::string& activePath);

// The files of a directory in chain order: "<name>.<20 digits>" by number, then the
// active file "<name>". Hidden files are skipped; when rotated files exist, files that
// are neither rotated nor their active file are skipped too.
Result<std::vector<std::string>> chainFilesInDirectory(Env& env, const std::string& dir);

// State of a file's tail, for resuming the chain.
struct FileTail {
  uint64_t completeBytes = 0;  // bytes up to and including the last "\n"
  uint64_t tornBytes = 0;      // bytes after it (a write cut short by a crash)
  std::string firstLine;       // "" when the file has no complete line
  std::string lastLine;
};
FileTail readFileTail(std::string_view contents);

}  // namespace migwarden::audit
