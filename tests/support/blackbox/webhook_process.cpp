#include "tests/support/blackbox/webhook_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <regex>
#include <stdexcept>

namespace migwarden::testing {
namespace {

pid_t spawn(const std::vector<std::string>& argv, int* readFd) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    std::vector<char*> cargv;
    for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  close(fds[1]);
  *readFd = fds[0];
  return pid;
}

bool hasFlag(const std::vector<std::string>& args, const std::string& flag) {
  for (const auto& a : args)
    if (a == flag || a.rfind(flag + "=", 0) == 0) return true;
  return false;
}

}  // namespace

std::string builtBinary(const std::string& name) { return std::string(MIGWARDEN_BINARY_DIR) + "/bin/" + name; }

ProcessResult runToCompletion(const std::vector<std::string>& argv, std::chrono::seconds timeout) {
  int fd = -1;
  pid_t pid = spawn(argv, &fd);
  ProcessResult result;
  auto deadline = std::chrono::steady_clock::now() + timeout;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    int left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count());
    if (left <= 0) {
      kill(pid, SIGKILL);
      break;
    }
    if (poll(&p, 1, left) <= 0) continue;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    result.output.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) result.exitCode = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

WebhookProcess::WebhookProcess(std::vector<std::string> args) {
  std::vector<std::string> argv{builtBinary("migwarden-webhook")};
  if (!hasFlag(args, "--listen")) argv.insert(argv.end(), {"--listen", "127.0.0.1:0"});
  if (!hasFlag(args, "--health-listen")) argv.insert(argv.end(), {"--health-listen", "127.0.0.1:0"});
  argv.insert(argv.end(), args.begin(), args.end());
  int fd = -1;
  pid_ = spawn(argv, &fd);
  reader_ = std::thread([this, fd] { readLoop(fd); });

  // The documented, fixed log lines (docs/webhook-server.md).
  static const std::regex tlsLine(R"(webhook listening on [^ ]*:(\d+) \(tls\))");
  static const std::regex healthLine(R"(health listening on [^ ]*:(\d+) \(http\))");
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    std::string out = output();
    std::smatch m1, m2;
    if (std::regex_search(out, m1, tlsLine) && std::regex_search(out, m2, healthLine)) {
      tlsPort_ = std::stoi(m1[1]);
      healthPort_ = std::stoi(m2[1]);
      return;
    }
    std::unique_lock lock(mu_);
    if (exited_) break;
    // Wake on the next output or exit.
    changed_.wait_for(lock, std::chrono::seconds(1), [&, size = output_.size()] { return exited_ || output_.size() != size; });
  }
  ADD_FAILURE() << "migwarden-webhook did not start; output:\n" << output();
}

WebhookProcess::~WebhookProcess() {
  bool running;
  {
    std::lock_guard lock(mu_);
    running = !exited_;
  }
  if (running) kill(pid_, SIGKILL);
  if (reader_.joinable()) reader_.join();
}

void WebhookProcess::readLoop(int fd) {
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    std::lock_guard lock(mu_);
    output_.append(buf, static_cast<size_t>(n));
    changed_.notify_all();
  }
  close(fd);
  int status = 0;
  waitpid(pid_, &status, 0);
  std::lock_guard lock(mu_);
  exited_ = true;
  exitStatus_ = WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  changed_.notify_all();
}

void WebhookProcess::sendSignal(int sig) { kill(pid_, sig); }

int WebhookProcess::waitForExit(std::chrono::seconds timeout) {
  std::unique_lock lock(mu_);
  if (!changed_.wait_for(lock, timeout, [&] { return exited_; })) return -1000;  // still running
  return exitStatus_;
}

std::string WebhookProcess::output() const {
  std::lock_guard lock(mu_);
  return output_;
}

bool WebhookProcess::waitForOutput(const std::string& needle, std::chrono::seconds timeout) const {
  std::unique_lock lock(mu_);
  return changed_.wait_for(lock, timeout, [&] { return output_.find(needle) != std::string::npos || exited_; }) &&
         output_.find(needle) != std::string::npos;
}

}  // namespace migwarden::testing
