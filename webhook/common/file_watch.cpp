#include "webhook/common/file_watch.h"

#include <sys/stat.h>

namespace migwarden {

std::optional<FileFingerprint> fingerprintOf(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return std::nullopt;
  FileFingerprint f;
  f.device = st.st_dev;
  f.inode = st.st_ino;
  f.size = st.st_size;
  f.mtimeNanos = static_cast<int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
  f.ctimeNanos = static_cast<int64_t>(st.st_ctim.tv_sec) * 1'000'000'000 + st.st_ctim.tv_nsec;
  return f;
}

FileChangeDetector::FileChangeDetector(std::initializer_list<std::string> paths)
    : FileChangeDetector(std::vector<std::string>(paths)) {}

FileChangeDetector::FileChangeDetector(std::vector<std::string> paths) : paths_(std::move(paths)) {
  for (const auto& p : paths_) last_.push_back(fingerprintOf(p));
}

bool FileChangeDetector::changed() {
  bool any = false;
  for (size_t i = 0; i < paths_.size(); ++i) {
    auto now = fingerprintOf(paths_[i]);
    if (now != last_[i]) {
      any = true;
      last_[i] = now;
    }
  }
  return any;
}

}  // namespace migwarden
