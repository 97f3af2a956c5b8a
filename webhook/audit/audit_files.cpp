#include "webhook/audit/audit_files.h"

#include <algorithm>
#include <cstdio>
#include <limits>
#include <optional>
#include <utility>

namespace migwarden::audit {
namespace {

constexpr size_t kSeqDigits = 20;

std::pair<std::string, std::string> splitPath(const std::string& path) {
  const size_t slash = path.rfind('/');
  if (slash == std::string::npos) return {".", path};
  return {slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

// "<base>.<20 digits>" -> the number.
std::optional<uint64_t> rotatedSeq(std::string_view name, std::string_view base) {
  if (name.size() != base.size() + 1 + kSeqDigits || !name.starts_with(base) || name[base.size()] != '.')
    return std::nullopt;
  uint64_t seq = 0;
  for (char c : name.substr(base.size() + 1)) {
    if (c < '0' || c > '9') return std::nullopt;
    seq = seq * 10 + static_cast<uint64_t>(c - '0');
  }
  return seq;
}

std::optional<uint64_t> anyRotatedSeq(std::string_view name) {
  if (name.size() <= kSeqDigits + 1 || name[name.size() - kSeqDigits - 1] != '.') return std::nullopt;
  return rotatedSeq(name, name.substr(0, name.size() - kSeqDigits - 1));
}

}  // namespace

std::string rotatedFileName(const std::string& activePath, uint64_t firstSeq) {
  char digits[kSeqDigits + 1];
  std::snprintf(digits, sizeof digits, "%020llu", static_cast<unsigned long long>(firstSeq));
  return activePath + "." + digits;
}

Result<std::vector<std::string>> listRotatedFiles(Env& env, const std::string& activePath) {
  const auto [dir, base] = splitPath(activePath);
  auto names = env.listDir(dir);
  if (!names.ok()) return names.status();
  std::vector<std::pair<uint64_t, std::string>> found;
  for (const auto& name : *names)
    if (auto seq = rotatedSeq(name, base)) found.emplace_back(*seq, dir + "/" + name);
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

Result<std::vector<std::string>> chainFilesInDirectory(Env& env, const std::string& dir) {
  auto names = env.listDir(dir);
  if (!names.ok()) return names.status();
  // When rotated files are present, only they and their active files belong to the chain
  // (a key file or a README beside them does not).
  std::vector<std::string> bases;
  for (const auto& name : *names)
    if (anyRotatedSeq(name)) bases.push_back(name.substr(0, name.size() - kSeqDigits - 1));
  std::vector<std::pair<std::pair<uint64_t, std::string>, std::string>> found;
  for (const auto& name : *names) {
    if (name.empty() || name[0] == '.') continue;
    const auto seq = anyRotatedSeq(name);
    if (!seq && !bases.empty() && std::find(bases.begin(), bases.end(), name) == bases.end()) continue;
    found.push_back({{seq.value_or(std::numeric_limits<uint64_t>::max()), name}, dir + "/" + name});
  }
  std::sort(found.begin(), found.end());
  std::vector<std::string> out;
  for (auto& f : found) out.push_back(std::move(f.second));
  return out;
}

FileTail readFileTail(std::string_view contents) {
  FileTail tail;
  const size_t lastNewline = contents.rfind('\n');
  if (lastNewline == std::string_view::npos) {
    tail.tornBytes = contents.size();
    return tail;
  }
  tail.completeBytes = lastNewline + 1;
  tail.tornBytes = contents.size() - tail.completeBytes;
  const std::string_view complete = contents.substr(0, lastNewline);
  tail.firstLine = std::string(complete.substr(0, complete.find('\n')));
  const size_t prevNewline = complete.rfind('\n');
  tail.lastLine = std::string(prevNewline == std::string_view::npos ? complete : complete.substr(prevNewline + 1));
  return tail;
}

}  // namespace migwarden::audit
