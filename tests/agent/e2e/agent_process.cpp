#include "tests/agent/e2e/agent_process.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>
#include <stdexcept>

#include "tests/support/blackbox/webhook_process.h"

extern char** environ;

namespace migwarden::testing {
namespace {

// argv/envp are built before fork(): the child only calls async-signal-safe functions.
struct ExecArgs {
  std::vector<std::string> strings;
  std::vector<char*> argv, envp;
  ExecArgs(const std::vector<std::string>& args, const EnvVars& env) {
    strings.push_back(builtBinary("migwarden-agent"));
    strings.insert(strings.end(), args.begin(), args.end());
    const size_t argc = strings.size();
    for (const auto& [k, v] : env) strings.push_back(k + "=" + v);
    for (size_t i = 0; i < argc; ++i) argv.push_back(strings[i].data());
    argv.push_back(nullptr);
    for (size_t i = argc; i < strings.size(); ++i) envp.push_back(strings[i].data());
    for (char** e = environ; *e != nullptr; ++e) envp.push_back(*e);
    envp.push_back(nullptr);
  }
};

// stdout and stderr to `outFd`, or stdout alone to `outFd` and stderr to `errFd`.
pid_t spawn(ExecArgs& exec, int outFd, int errFd) {
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

}  // namespace

AgentProcess::AgentProcess(std::vector<std::string> args, const EnvVars& env) {
  ExecArgs exec(args, env);
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  pid_ = spawn(exec, fds[1], fds[1]);
  close(fds[1]);
  reader_ = std::thread([this, fd = fds[0]] { readLoop(fd); });
}

AgentProcess::~AgentProcess() {
  bool running;
  {
    std::lock_guard lock(mu_);
    running = !exited_;
  }
  if (running) kill(pid_, SIGKILL);
  if (reader_.joinable()) reader_.join();
}

void AgentProcess::readLoop(int fd) {
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

int AgentProcess::waitForHealthPort(std::chrono::seconds timeout) {
  static const std::regex line(R"(agent health listening on [^ ]*:(\d+) \(http\))");
  std::unique_lock lock(mu_);
  std::smatch m;
  changed_.wait_for(lock, timeout, [&] { return exited_ || std::regex_search(output_, m, line); });
  return std::regex_search(output_, m, line) ? std::stoi(m[1]) : 0;
}

void AgentProcess::sendSignal(int sig) { kill(pid_, sig); }

int AgentProcess::waitForExit(std::chrono::seconds timeout) {
  std::unique_lock lock(mu_);
  if (!changed_.wait_for(lock, timeout, [&] { return exited_; })) return -1000;
  return exitStatus_;
}

std::string AgentProcess::output() const {
  std::lock_guard lock(mu_);
  return output_;
}

size_t AgentProcess::outputSize() const {
  std::lock_guard lock(mu_);
  return output_.size();
}

void AgentProcess::waitForOutputBeyond(size_t size, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, timeout, [&] { return exited_ || output_.size() > size; });
}

bool AgentProcess::waitForOutput(const std::string& needle, std::chrono::seconds timeout) const {
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, timeout, [&] { return exited_ || output_.find(needle) != std::string::npos; });
  return output_.find(needle) != std::string::npos;
}

AgentRun runAgent(const std::vector<std::string>& args, const EnvVars& env, std::chrono::seconds timeout) {
  ExecArgs exec(args, env);
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  pid_t pid = spawn(exec, out[1], err[1]);
  close(out[1]);
  close(err[1]);
  AgentRun run;
  std::string errText;
  pollfd fds[2] = {{out[0], POLLIN, 0}, {err[0], POLLIN, 0}};
  std::string* sinks[2] = {&run.out, &errText};
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
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) {
        sinks[i]->append(buf, static_cast<size_t>(n));
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
  run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.all = run.out + errText;
  return run;
}

}  // namespace migwarden::testing
