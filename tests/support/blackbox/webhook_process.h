// Starts the real migwarden-webhook binary as a child process, the way a user or the
// kubelet would, and finds its ports from the documented "listening" log lines.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "tests/support/blackbox/child_process.h"

namespace migwarden::testing {

class WebhookProcess {
 public:
  // Starts `migwarden-webhook args...` with --listen/--health-listen on 127.0.0.1:0 unless
  // args already name them. Blocks until both listening lines appear (or the process dies,
  // which fails the test with its output).
  explicit WebhookProcess(std::vector<std::string> args);

  bool started() const { return tlsPort_ != 0; }
  int tlsPort() const { return tlsPort_; }
  int healthPort() const { return healthPort_; }
  pid_t pid() const { return child_->pid(); }

  void sendSignal(int sig) { child_->sendSignal(sig); }
  // Waits for exit; returns the exit code (or -signal; -1000 on timeout).
  int waitForExit(std::chrono::seconds timeout = std::chrono::seconds(60)) { return child_->waitForExit(timeout); }
  // Everything logged so far.
  std::string output() const { return child_->output(); }
  // Blocks until `needle` appears in the output (true) or the timeout passes (false).
  bool waitForOutput(const std::string& needle, std::chrono::seconds timeout = std::chrono::seconds(30)) const {
    return child_->waitForOutput(needle, timeout);
  }

 private:
  std::unique_ptr<ChildProcess> child_;  // SIGKILLed on destruction if still running
  int tlsPort_ = 0;
  int healthPort_ = 0;
};

}  // namespace migwarden::testing
