// A real binary as a child process, for black-box tests: its stdout and stderr are
// collected by a reader thread so a test can wait (bounded, without sleeping) for a log
// line, a pattern or the exit. WebhookProcess and the agent's AgentProcess are thin
// wrappers that know their binary's documented "listening" lines.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <regex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace migwarden::testing {

// Extra environment variables, added to this process's environment for the child.
using EnvVars = std::vector<std::pair<std::string, std::string>>;

// Path of a binary built by this CMake tree (bin/<name>).
std::string builtBinary(const std::string& name);

struct ProcessResult {
  int exitCode = -1;  // -1 when killed by a signal
  int signal = 0;
  std::string output;      // stdout and stderr, in arrival order
  std::string stdoutText;  // stdout alone (e.g. a report printed by --dry-run)
};

// Runs argv (argv[0] is the binary's path) to completion; SIGKILL at the timeout.
ProcessResult runToCompletion(const std::vector<std::string>& argv,
                              std::chrono::seconds timeout = std::chrono::seconds(60), const EnvVars& env = {});

class ChildProcess {
 public:
  // Starts argv (argv[0] is the binary's path). Throws std::runtime_error if it cannot.
  explicit ChildProcess(const std::vector<std::string>& argv, const EnvVars& env = {});
  ~ChildProcess();  // SIGKILL if still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  void sendSignal(int sig);
  // Exit code, -signal when killed, -1000 when still running at the timeout.
  int waitForExit(std::chrono::seconds timeout = std::chrono::seconds(60));

  std::string output() const;
  size_t outputSize() const;
  // True once `needle` is in the output; false if the process exited or time ran out first.
  bool waitForOutput(const std::string& needle, std::chrono::seconds timeout = std::chrono::seconds(30)) const;
  // Returns when the output grows beyond `size`, the process exits, or time runs out.
  void waitForOutputBeyond(size_t size, std::chrono::milliseconds timeout) const;
  // The first capture group of every pattern once all of them match the output; empty
  // if the process exited or time ran out first.
  std::vector<std::string> waitForCaptures(const std::vector<std::regex>& patterns,
                                           std::chrono::seconds timeout = std::chrono::seconds(30)) const;

 private:
  void readLoop(int fd);

  pid_t pid_ = -1;
  bool exited_ = false;
  int exitStatus_ = 0;
  mutable std::mutex mu_;
  mutable std::condition_variable changed_;  // new output or exit
  std::string output_;
  std::thread reader_;
};

}  // namespace migwarden::testing
