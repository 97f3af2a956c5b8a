// Helpers for the audit suites: record builders, a log fixture on a real temp directory
// with a FakeClock, line-level file editing (the attacker's tools), and FaultEnv.
#pragma once

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "tests/support/temp_dir.h"
#include "webhook/audit/audit_log.h"
#include "webhook/common/clock.h"
#include "webhook/common/env.h"
#include "webhook/common/metrics.h"

namespace migwarden::audit::testutil {

// A denied pod CREATE in namespace `ns` with every admission field set.
AuditRecord deniedPod(const std::string& name, const std::string& ns = "team-a");
// A ledger reservation for `podUid` on `node`.
AuditRecord reservation(const std::string& podUid, const std::string& node);

// prefix + n (also sidesteps a GCC 12 -Wrestrict false positive on "lit" + to_string()).
std::string numbered(std::string prefix, long n);

// Lines of a file without their "\n" (a torn last line is included as is).
std::vector<std::string> readLines(const std::string& path);
void writeLines(const std::string& path, const std::vector<std::string>& lines);

// Fails writes or syncs on demand; everything else is the real file system.
class FaultEnv final : public EnvWrapper {
 public:
  FaultEnv() : EnvWrapper(base_) {}
  std::atomic<bool> failAppend{false};
  std::atomic<bool> failSync{false};

  // Makes sync() block until releaseSyncs(), so a test can hold the writer thread still.
  void holdSyncs();
  void waitUntilASyncIsHeld();
  void releaseSyncs();
  void syncGate();  // called by the files' sync()

  Result<std::unique_ptr<WritableFile>> newAppendableFile(const std::string& path) override;
  Result<std::unique_ptr<WritableFile>> newWritableFile(const std::string& path) override;

 private:
  PosixEnv base_;
  std::mutex gateMu_;
  std::condition_variable gateCv_;
  bool holding_ = false;
  int held_ = 0;
};

// An AuditLog writing <tempdir>/audit.log, reopenable with other options.
class LogFixture {
 public:
  LogFixture();
  AuditLogOptions& options() { return options_; }
  Status open();
  AuditLog& log() { return *log_; }
  void close() { log_.reset(); }
  FakeClock& clock() { return clock_; }
  FaultEnv& env() { return env_; }
  MetricsRegistry& metrics() { return *metrics_; }
  const std::string& dir() const { return dir_.path(); }
  std::string path() const { return dir_.file("audit.log"); }
  // Appends n records (pods "pod-<i>") and flushes.
  void appendPods(int n, int firstIndex = 0);
  uint64_t counter(const std::string& name);

 private:
  testing::TempDir dir_;
  FakeClock clock_;
  FaultEnv env_;
  std::unique_ptr<MetricsRegistry> metrics_;
  AuditLogOptions options_;
  std::unique_ptr<AuditLog> log_;
};

}  // namespace migwarden::audit::testutil
