#include "tests/support/blackbox/child_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>

extern char** environ;

namespace migwarden::testing {
namespace {

// argv and envp are built before fork(): the child only calls async-signal-safe functions.
struct ExecArgs {
  std::vector<std::string> strings;
  std::vector<char*> argv, envp;
  ExecArgs(const std::vector<std::string>& args, const EnvVars& env) : strings(args) {
    const size_t argc = strings.size();
    for (const auto& [k, v] : env) strings.push_back(k + "=" + v);
    for (size_t i = 0; i < argc; ++i) argv.push_back(strings[i].data());
    argv.push_back(nullptr);
    for (size_t i = argc; i < strings.size(); ++i) envp.push_back(strings[i].data());
    for (char** e = environ; *e != nullptr; ++e) envp.push_back(*e);
    envp.push_back(nullptr);
  }
};

pid_t spawn(const ExecArgs& exec, int outFd, int errFd) {
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(outFd, STDOUT_FILENO);
    dup2(errFd, STDERR_FILENO);
    execve(exec.argv[0], exec.argv.data(), exec.envp.data());
    _exit(127);
  }
  return pid;
}

int decodeStatus(int status) { return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status); }

}  // namespace

std::string builtBinary(const std::string& name) { return std::string(MIGWARDEN_BINARY_DIR) + "/bin/" + name; }

ProcessResult runToCompletion(const std::vector<std::string>& argv, std::chrono::seconds timeout, const EnvVars& env) {
  ExecArgs exec(argv, env);
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  if (pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  const pid_t pid = spawn(exec, out[1], err[1]);
  close(out[1]);
  close(err[1]);
  ProcessResult result;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int open = 2;
  char buf[4096];
  while (open > 0) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now()).count();
    if (left <= 0) {
      kill(pid, SIGKILL);
      break;
    }
    if (poll(fds, 2, static_cast<int>(left)) <= 0) continue;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        result.output.append(buf, static_cast<size_t>(n));
        if (i == 0) result.stdoutText.append(buf, static_cast<size_t>(n));
      } else if (n == 0 || errno != EINTR) {
        close(fds[i].fd);
        fds[i].fd = -1;
        --open;
      }
    }
  }
  for (auto& f : fds)
    if (f.fd >= 0) close(f.fd);
  int status = 0;
  waitpid(pid, &status, 0);
  if (WIFEXITED(status)) result.exitCode = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
  return result;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const EnvVars& env) {
  ExecArgs exec(argv, env);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  pid_ = spawn(exec, fds[1], fds[1]);
  close(fds[1]);
  reader_ = std::thread([this, fd = fds[0]] { readLoop(fd); });
}

ChildProcess::~ChildProcess() {
  bool running;
  {
    std::lock_guard lock(mu_);
    running = !exited_;
  }
  if (running) kill(pid_, SIGKILL);
  if (reader_.joinable()) reader_.join();
}

void ChildProcess::readLoop(int fd) {
  char buf[4096];
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
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
  exitStatus_ = decodeStatus(status);
  changed_.notify_all();
}

void ChildProcess::sendSignal(int sig) { kill(pid_, sig); }

int ChildProcess::waitForExit(std::chrono::seconds timeout) {
  std::unique_lock lock(mu_);
  if (!changed_.wait_for(lock, timeout, [&] { return exited_; })) return -1000;
  return exitStatus_;
}

std::string ChildProcess::output() const {
  std::lock_guard lock(mu_);
  return output_;
}

size_t ChildProcess::outputSize() const {
  std::lock_guard lock(mu_);
  return output_.size();
}

bool ChildProcess::waitForOutput(const std::string& needle, std::chrono::seconds timeout) const {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, timeout, [&] { return exited_ || output_.find(needle) != std::string::npos; });
  return output_.find(needle) != std::string::npos;
}

void ChildProcess::waitForOutputBeyond(size_t size, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, timeout, [&] { return exited_ || output_.size() > size; });
}

std::vector<std::string> ChildProcess::waitForCaptures(const std::vector<std::regex>& patterns,
                                                       std::chrono::seconds timeout) const {
  std::vector<std::string> captures;
  auto allMatch = [&] {
    captures.clear();
    for (const auto& pattern : patterns) {
      std::smatch m;
      if (!std::regex_search(output_, m, pattern)) return false;
      captures.push_back(m.size() > 1 ? m[1].str() : m[0].str());
    }
    return true;
  };
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, timeout, [&] { return allMatch() || exited_; });
  if (!allMatch()) captures.clear();
  return captures;
}

}  // namespace migwarden::testing
