#include <dirent.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "webhook/common/env.h"

namespace migwarden {
namespace {

Status errnoStatus(std::string_view what, const std::string& path, int err) {
  std::string m(what);
  m += " ";
  m += path;
  m += ": ";
  m += std::strerror(err);
  return Status::IOError(std::move(m));
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }

  Status append(std::string_view data) override {
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return errnoStatus("write", path_, errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
    }
    return Status::Ok();
  }

  Status sync() override {
    if (::fdatasync(fd_) != 0) return errnoStatus("fdatasync", path_, errno);
    return Status::Ok();
  }

  Status close() override {
    if (fd_ < 0) return Status::Ok();
    int rc = ::close(fd_);
    fd_ = -1;
    if (rc != 0) return errnoStatus("close", path_, errno);
    return Status::Ok();
  }

 private:
  std::string path_;
  int fd_;
};

Result<std::unique_ptr<WritableFile>> openForWrite(const std::string& path, int extraFlags) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC | extraFlags, 0640);
  if (fd < 0) return errnoStatus("open", path, errno);
  return std::unique_ptr<WritableFile>(new PosixWritableFile(path, fd));
}

}  // namespace

Status Env::writeFileAtomically(const std::string& path, std::string_view contents) {
  const std::string tmp = path + ".tmp";
  auto file = newWritableFile(tmp);
  if (!file.ok()) return file.status();
  MIGWARDEN_RETURN_IF_ERROR((*file)->append(contents));
  MIGWARDEN_RETURN_IF_ERROR((*file)->sync());
  MIGWARDEN_RETURN_IF_ERROR((*file)->close());
  MIGWARDEN_RETURN_IF_ERROR(renameFile(tmp, path));
  std::string dir = std::filesystem::path(path).parent_path().string();
  return syncDir(dir.empty() ? "." : dir);
}

Result<std::unique_ptr<WritableFile>> PosixEnv::newAppendableFile(const std::string& path) {
  return openForWrite(path, O_APPEND);
}

Result<std::unique_ptr<WritableFile>> PosixEnv::newWritableFile(const std::string& path) {
  return openForWrite(path, O_TRUNC);
}

Result<std::string> PosixEnv::readFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errnoStatus("open", path, errno);
  std::string out;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      int err = errno;
      ::close(fd);
      return errnoStatus("read", path, err);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  ::close(fd);
  return out;
}

bool PosixEnv::fileExists(const std::string& path) { return ::access(path.c_str(), F_OK) == 0; }

Result<uint64_t> PosixEnv::fileSize(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return errnoStatus("stat", path, errno);
  return static_cast<uint64_t>(st.st_size);
}

Status PosixEnv::renameFile(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return errnoStatus("rename", from, errno);
  return Status::Ok();
}

Status PosixEnv::removeFile(const std::string& path) {
  if (::unlink(path.c_str()) != 0) return errnoStatus("unlink", path, errno);
  return Status::Ok();
}

Status PosixEnv::truncateFile(const std::string& path, uint64_t size) {
  if (::truncate(path.c_str(), static_cast<off_t>(size)) != 0) return errnoStatus("truncate", path, errno);
  return Status::Ok();
}

Status PosixEnv::createDirs(const std::string& path) {
  std::error_code ec;
  std::filesystem::create_directories(path, ec);
  if (ec) return Status::IOError("mkdir " + path + ": " + ec.message());
  return Status::Ok();
}

namespace {

class PosixFileLock final : public FileLock {
 public:
  explicit PosixFileLock(int fd) : fd_(fd) {}
  ~PosixFileLock() override { ::close(fd_); }  // closing the descriptor releases the flock

 private:
  int fd_;
};

}  // namespace

Result<std::unique_ptr<FileLock>> PosixEnv::lockFile(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) return errnoStatus("open lock file", path, errno);
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(fd);
    if (err == EWOULDBLOCK)
      return Status::FailedPrecondition(path + " is locked: another process has this directory open");
    return errnoStatus("flock", path, err);
  }
  return std::unique_ptr<FileLock>(new PosixFileLock(fd));
}

Status PosixEnv::syncDir(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return errnoStatus("open dir", path, errno);
  int rc = ::fsync(fd);
  int err = errno;
  ::close(fd);
  if (rc != 0) return errnoStatus("fsync dir", path, err);
  return Status::Ok();
}

Result<std::vector<std::string>> PosixEnv::listDir(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return errnoStatus("opendir", path, errno);
  std::vector<std::string> names;
  while (dirent* e = ::readdir(dir)) {
    std::string_view name(e->d_name);
    if (name == "." || name == "..") continue;
    names.emplace_back(name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace migwarden
