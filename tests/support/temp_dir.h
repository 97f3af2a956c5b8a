// A fresh directory under $TMPDIR for one test, removed afterwards.
#pragma once

#include <string>

namespace migwarden::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string file(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Reads a file from tests/fixtures (relative to the source tree).
std::string readFixture(const std::string& relativePath);
void writeFile(const std::string& path, const std::string& contents);
// Whole file; throws std::runtime_error naming the path when it cannot be read.
std::string readFile(const std::string& path);

}  // namespace migwarden::testing
