// Starts the real migwarden-agent binary as a child process with extra environment
// variables (MIGWARDEN_FAKE_NVML_CONFIG), collects its output, and finds its health port
// from the documented "agent health listening on HOST:PORT (http)" line.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace migwarden::testing {

using EnvVars = std::vector<std::pair<std::string, std::string>>;

class AgentProcess {
 public:
  // Starts `migwarden-agent args...` with `env` added to this process's environment.
  AgentProcess(std::vector<std::string> args, const EnvVars& env);
  ~AgentProcess();  // SIGKILL if still running
  AgentProcess(const AgentProcess&) = delete;
  AgentProcess& operator=(const AgentProcess&) = delete;

  // Blocks until the health line appears; 0 when the process exited first or the
  // timeout passed.
  int waitForHealthPort(std::chrono::seconds timeout = std::chrono::seconds(30));

  void sendSignal(int sig);
  // Exit code, -signal when killed, -1000 on timeout.
  int waitForExit(std::chrono::seconds timeout = std::chrono::seconds(30));
  std::string output() const;
  size_t outputSize() const;
  // Waits until the output grows beyond `size` or the process exits (bounded): lets a
  // test re-check a condition right after the agent did something, without sleeping.
  void waitForOutputBeyond(size_t size, std::chrono::milliseconds timeout) const;
  bool waitForOutput(const std::string& needle, std::chrono::seconds timeout = std::chrono::seconds(30)) const;

 private:
  void readLoop(int fd);

  pid_t pid_ = -1;
  bool exited_ = false;
  int exitStatus_ = 0;
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;
  std::string output_;
  std::thread reader_;
};

// Runs the agent to completion (for --once, --help, bad flags): {exit code, output}.
struct AgentRun {
  int exitCode = -1;
  std::string out;  // stdout
  std::string all;  // stdout + stderr
};
AgentRun runAgent(const std::vector<std::string>& args, const EnvVars& env,
                  std::chrono::seconds timeout = std::chrono::seconds(60));

}  // namespace migwarden::testing
