// Starts the real migwarden-agent binary as a child process with extra environment
// variables (MIGWARDEN_FAKE_NVML_CONFIG), collects its output, and finds its health port
// from the documented "agent health listening on HOST:PORT (http)" line.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "tests/support/blackbox/child_process.h"

namespace migwarden::testing {

class AgentProcess {
 public:
  // Starts `migwarden-agent args...` with `env` added to this process's environment.
  AgentProcess(const std::vector<std::string>& args, const EnvVars& env);

  // Blocks until the health line appears; 0 when the process exited first or the
  // timeout passed.
  int waitForHealthPort(std::chrono::seconds timeout = std::chrono::seconds(30));

  void sendSignal(int sig) { child_.sendSignal(sig); }
  // Exit code, -signal when killed, -1000 on timeout.
  int waitForExit(std::chrono::seconds timeout = std::chrono::seconds(30)) { return child_.waitForExit(timeout); }
  std::string output() const { return child_.output(); }
  size_t outputSize() const { return child_.outputSize(); }
  // Waits until the output grows beyond `size` or the process exits (bounded): lets a
  // test re-check a condition right after the agent did something, without sleeping.
  void waitForOutputBeyond(size_t size, std::chrono::milliseconds timeout) const {
    child_.waitForOutputBeyond(size, timeout);
  }
  bool waitForOutput(const std::string& needle, std::chrono::seconds timeout = std::chrono::seconds(30)) const {
    return child_.waitForOutput(needle, timeout);
  }

 private:
  ChildProcess child_;  // SIGKILLed on destruction if still running
};

// Runs the agent to completion (for --once, --help, bad flags).
struct AgentRun {
  int exitCode = -1;
  std::string out;  // stdout
  std::string all;  // stdout + stderr
};
AgentRun runAgent(const std::vector<std::string>& args, const EnvVars& env,
                  std::chrono::seconds timeout = std::chrono::seconds(60));

}  // namespace migwarden::testing
