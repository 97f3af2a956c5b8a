// Starts the real migwarden-webhook binary as a child process, the way a user or the
// kubelet would, and finds its ports from the documented "listening" log lines.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace migwarden::testing {

// Path of a binary built by this CMake tree (bin/<name>).
std::string builtBinary(const std::string& name);

struct ProcessResult {
  int exitCode = -1;  // -1 when killed by a signal
  int signal = 0;
  std::string output;  // stdout + stderr
};

// Runs a command to completion (for --help / bad flag tests).
ProcessResult runToCompletion(const std::vector<std::string>& argv,
                              std::chrono::seconds timeout = std::chrono::seconds(60));

class WebhookProcess {
 public:
  // Starts `migwarden-webhook args...` with --listen/--health-listen on 127.0.0.1:0 unless
  // args already name them. Blocks until both listening lines appear (or the process dies,
  // which fails the test with its output).
  explicit WebhookProcess(std::vector<std::string> args);
  ~WebhookProcess();  // SIGKILL if still running

  WebhookProcess(const WebhookProcess&) = delete;
  WebhookProcess& operator=(const WebhookProcess&) = delete;

  bool started() const { return tlsPort_ != 0; }
  int tlsPort() const { return tlsPort_; }
  int healthPort() const { return healthPort_; }
  pid_t pid() const { return pid_; }

  void sendSignal(int sig);
  // Waits for exit; returns the exit code (or -signal).
  int waitForExit(std::chrono::seconds timeout = std::chrono::seconds(60));
  // Everything logged so far.
  std::string output() const;
  // Blocks until `needle` appears in the output (true) or the timeout passes (false).
  bool waitForOutput(const std::string& needle, std::chrono::seconds timeout = std::chrono::seconds(30)) const;

 private:
  void readLoop(int fd);

  pid_t pid_ = -1;
  int tlsPort_ = 0;
  int healthPort_ = 0;
  bool exited_ = false;
  int exitStatus_ = 0;
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;  // new output or exit
  std::string output_;
  std::thread reader_;
};

}  // namespace migwarden::testing
