// Env: the file-system seam (LevelDB style). Everything that must be durable (ledger
// log and snapshots, audit log) does its I/O through an Env so that tests can inject
// failed fsyncs, short writes and full disks.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/common/status.h"

namespace migwarden {

class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status append(std::string_view data) = 0;
  // Makes everything appended so far durable (fdatasync).
  virtual Status sync() = 0;
  virtual Status close() = 0;
};

// An exclusive advisory lock (flock) held until destroyed.
class FileLock {
 public:
  virtual ~FileLock() = default;
};

class Env {
 public:
  virtual ~Env() = default;

  // Opens for append, creating the file if missing.
  virtual Result<std::unique_ptr<WritableFile>> newAppendableFile(const std::string& path) = 0;
  // Creates or truncates.
  virtual Result<std::unique_ptr<WritableFile>> newWritableFile(const std::string& path) = 0;
  virtual Result<std::string> readFile(const std::string& path) = 0;
  virtual bool fileExists(const std::string& path) = 0;
  virtual Result<uint64_t> fileSize(const std::string& path) = 0;
  virtual Status renameFile(const std::string& from, const std::string& to) = 0;
  virtual Status removeFile(const std::string& path) = 0;
  virtual Status truncateFile(const std::string& path, uint64_t size) = 0;
  // mkdir -p
  virtual Status createDirs(const std::string& path) = 0;
  // fsync of a directory, so that a rename or a new file survives a crash.
  virtual Status syncDir(const std::string& path) = 0;
  // Entry names (not paths), sorted.
  virtual Result<std::vector<std::string>> listDir(const std::string& path) = 0;
  // Creates `path` if needed and locks it exclusively without waiting: FailedPrecondition
  // when another process (or another open of the same file) holds it.
  virtual Result<std::unique_ptr<FileLock>> lockFile(const std::string& path) = 0;

  // Atomic replace: write temp, fsync, rename over `path`, fsync the directory.
  Status writeFileAtomically(const std::string& path, std::string_view contents);
};

// Forwards every call to `target` (LevelDB's EnvWrapper): a fault-injecting or
// write-discarding Env overrides only what it changes. `target` must outlive the wrapper.
class EnvWrapper : public Env {
 public:
  explicit EnvWrapper(Env& target) : target_(target) {}
  Env& target() const { return target_; }

  Result<std::unique_ptr<WritableFile>> newAppendableFile(const std::string& path) override {
    return target_.newAppendableFile(path);
  }
  Result<std::unique_ptr<WritableFile>> newWritableFile(const std::string& path) override {
    return target_.newWritableFile(path);
  }
  Result<std::string> readFile(const std::string& path) override { return target_.readFile(path); }
  bool fileExists(const std::string& path) override { return target_.fileExists(path); }
  Result<uint64_t> fileSize(const std::string& path) override { return target_.fileSize(path); }
  Status renameFile(const std::string& from, const std::string& to) override { return target_.renameFile(from, to); }
  Status removeFile(const std::string& path) override { return target_.removeFile(path); }
  Status truncateFile(const std::string& path, uint64_t size) override { return target_.truncateFile(path, size); }
  Status createDirs(const std::string& path) override { return target_.createDirs(path); }
  Status syncDir(const std::string& path) override { return target_.syncDir(path); }
  Result<std::vector<std::string>> listDir(const std::string& path) override { return target_.listDir(path); }
  Result<std::unique_ptr<FileLock>> lockFile(const std::string& path) override { return target_.lockFile(path); }

 private:
  Env& target_;
};

// The real thing: POSIX open/write/fdatasync/rename.
class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<WritableFile>> newAppendableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> newWritableFile(const std::string& path) override;
  Result<std::string> readFile(const std::string& path) override;
  bool fileExists(const std::string& path) override;
  Result<uint64_t> fileSize(const std::string& path) override;
  Status renameFile(const std::string& from, const std::string& to) override;
  Status removeFile(const std::string& path) override;
  Status truncateFile(const std::string& path, uint64_t size) override;
  Status createDirs(const std::string& path) override;
  Status syncDir(const std::string& path) override;
  Result<std::vector<std::string>> listDir(const std::string& path) override;
  Result<std::unique_ptr<FileLock>> lockFile(const std::string& path) override;
};

}  // namespace migwarden
