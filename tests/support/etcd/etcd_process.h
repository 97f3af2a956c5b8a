// EtcdProcess: a real single-member etcd for tests, in its own temp dir on free
// loopback ports. Stop, kill and restart keep the same ports and data dir, so clients
// configured with endpoint() reconnect to the same cluster with the same revisions.
//
// Tests that need etcd start with MIGWARDEN_REQUIRE_ETCD(): it skips (with the reason)
// only when no etcd binary is installed (Debian: apt-get install etcd-server); a binary
// that is present but fails to start fails the test with etcd's output.
// The binary is $MIGWARDEN_ETCD, else etcd on $PATH. Not thread-safe: one test thread
// drives it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/temp_dir.h"

namespace migwarden::testing {

// Serve clients over TLS and require client certificates signed by caFile.
struct EtcdTlsFiles {
  std::string caFile;
  std::string certFile;  // etcd's serving certificate (SAN 127.0.0.1)
  std::string keyFile;
  bool enabled() const { return !certFile.empty(); }
};

class EtcdProcess {
 public:
  // Path of the etcd binary, or "" when none is installed.
  static std::string findBinary();
  static std::string findEtcdctl();

  // Starts etcd and waits (up to 60s) until it serves clients; on failure the test
  // gets a failure with etcd's output and running() is false.
  explicit EtcdProcess(EtcdTlsFiles tls = {});
  ~EtcdProcess();  // SIGKILL
  EtcdProcess(const EtcdProcess&) = delete;
  EtcdProcess& operator=(const EtcdProcess&) = delete;

  bool running() const { return pid_ > 0; }
  // "http://127.0.0.1:PORT" (https with TLS), stable across restarts.
  std::string endpoint() const;
  int clientPort() const { return clientPort_; }
  const std::string& dataDir() const { return dataDir_; }

  void stop();  // SIGTERM, wait for exit
  void kill();  // SIGKILL, wait for exit
  // Starts again on the same ports and data dir; true once it serves clients.
  bool restart();
  // Everything etcd logged, across restarts.
  std::string output() const;

  // Runs etcdctl (v3 API) against this etcd, e.g. {"compaction", "42"}; the exit code
  // and output.
  std::pair<int, std::string> etcdctl(const std::vector<std::string>& args) const;

 private:
  bool start();
  void readLoop(int fd, int generation);
  void reap();

  TempDir dir_;
  EtcdTlsFiles tls_;
  std::string dataDir_;
  int clientPort_ = 0;
  int peerPort_ = 0;
  pid_t pid_ = -1;
  int generation_ = 0;
  mutable std::mutex mu_;
  std::condition_variable changed_;
  std::string output_;
  bool ready_ = false;   // this generation logged that it serves clients
  bool exited_ = false;  // this generation's output ended
  std::thread reader_;
};

}  // namespace migwarden::testing

#define MIGWARDEN_REQUIRE_ETCD()                                                                              \
  do {                                                                                                        \
    if (::migwarden::testing::EtcdProcess::findBinary().empty())                                              \
      GTEST_SKIP() << "etcd is not installed (no $MIGWARDEN_ETCD, no etcd on $PATH): apt-get install "        \
                      "etcd-server etcd-client to run the etcd backend tests";                                \
  } while (0)
