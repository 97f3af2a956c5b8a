// Detects that a file was replaced or rewritten, by polling stat() through symlinks.
// Kubernetes updates mounted secrets by swapping a `..data` symlink, which changes the
// inode seen through the link; editors and `cp` change mtime and size.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>
#include <initializer_list>

namespace migwarden {

struct FileFingerprint {
  uint64_t device = 0;
  uint64_t inode = 0;
  int64_t size = 0;
  int64_t mtimeNanos = 0;
  int64_t ctimeNanos = 0;
  bool operator==(const FileFingerprint&) const = default;
};

// nullopt when the file does not exist or cannot be stat'ed.
std::optional<FileFingerprint> fingerprintOf(const std::string& path);

// Remembers the last fingerprint of a set of files and tells whether any changed.
class FileChangeDetector {
 public:
  explicit FileChangeDetector(std::initializer_list<std::string> paths);
  explicit FileChangeDetector(std::vector<std::string> paths);
  // True when any file's fingerprint differs from the last call (or from construction).
  bool changed();

 private:
  std::vector<std::string> paths_;
  std::vector<std::optional<FileFingerprint>> last_;
};

}  // namespace migwarden
