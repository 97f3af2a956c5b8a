#include "tests/support/etcd/etcd_process.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>

#include "tests/support/run_command.h"

namespace migwarden::testing {
namespace {

constexpr std::string_view kReadyLine = "ready to serve client requests";

std::string onPath(const std::string& name) {
  const char* path = std::getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  size_t start = 0;
  while (start <= dirs.size()) {
    size_t end = dirs.find(':', start);
    if (end == std::string::npos) end = dirs.size();
    const std::string candidate = dirs.substr(start, end - start) + "/" + name;
    if (end > start && access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

// A socket bound to a free loopback port, kept open until both ports are chosen so
// the two cannot collide.
int bindFreePort(int* port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket() failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("cannot bind a loopback port");
  *port = ntohs(addr.sin_port);
  return fd;
}

}  // namespace

std::string EtcdProcess::findBinary() {
  if (const char* env = std::getenv("MIGWARDEN_ETCD"); env != nullptr && *env != '\0')
    return access(env, X_OK) == 0 ? std::string(env) : std::string();
  return onPath("etcd");
}

std::string EtcdProcess::findEtcdctl() { return onPath("etcdctl"); }

EtcdProcess::EtcdProcess(EtcdTlsFiles tls) : tls_(std::move(tls)), dataDir_(dir_.file("data")) {
  const int a = bindFreePort(&clientPort_);
  const int b = bindFreePort(&peerPort_);
  close(a);
  close(b);
  if (!start()) ADD_FAILURE() << "etcd did not start:\n" << output();
}

EtcdProcess::~EtcdProcess() { kill(); }

std::string EtcdProcess::endpoint() const {
  return std::string(tls_.enabled() ? "https" : "http") + "://127.0.0.1:" + std::to_string(clientPort_);
}

bool EtcdProcess::start() {
  const std::string binary = findBinary();
  if (binary.empty()) return false;
  const std::string client = endpoint();
  const std::string peer = "http://127.0.0.1:" + std::to_string(peerPort_);
  std::vector<std::string> argv = {binary,
                                   "--name", "test",
                                   "--data-dir", dataDir_,
                                   "--listen-client-urls", client,
                                   "--advertise-client-urls", client,
                                   "--listen-peer-urls", peer,
                                   "--initial-advertise-peer-urls", peer,
                                   "--initial-cluster", "test=" + peer,
                                   "--initial-cluster-state", "new",
                                   "--heartbeat-interval", "50",
                                   "--election-timeout", "500"};
  if (tls_.enabled()) {
    argv.insert(argv.end(), {"--cert-file", tls_.certFile, "--key-file", tls_.keyFile, "--trusted-ca-file",
                             tls_.caFile, "--client-cert-auth"});
  }
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    dup2(fds[1], STDERR_FILENO);
    std::vector<char*> cargv;
    for (auto& s : argv) cargv.push_back(s.data());
    cargv.push_back(nullptr);
    execv(cargv[0], cargv.data());
    _exit(127);
  }
  close(fds[1]);
  int generation;
  {
    std::lock_guard lock(mu_);
    pid_ = pid;
    generation = ++generation_;
    ready_ = false;
    exited_ = false;
  }
  if (reader_.joinable()) reader_.join();
  reader_ = std::thread([this, fd = fds[0], generation] { readLoop(fd, generation); });
  std::unique_lock lock(mu_);
  changed_.wait_for(lock, std::chrono::seconds(60), [this] { return ready_ || exited_; });
  if (ready_) return true;
  lock.unlock();
  kill();
  return false;
}

void EtcdProcess::readLoop(int fd, int generation) {
  char buf[4096];
  std::string recent;  // this generation's output, to find the ready line
  for (;;) {
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    std::lock_guard lock(mu_);
    output_.append(buf, static_cast<size_t>(n));
    recent.append(buf, static_cast<size_t>(n));
    if (generation == generation_ && !ready_ && recent.find(kReadyLine) != std::string::npos) {
      ready_ = true;
      changed_.notify_all();
    }
  }
  close(fd);
  std::lock_guard lock(mu_);
  if (generation == generation_) exited_ = true;
  changed_.notify_all();
}

void EtcdProcess::reap() {
  if (pid_ <= 0) return;
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  if (reader_.joinable()) reader_.join();
}

void EtcdProcess::stop() {
  if (pid_ > 0) ::kill(pid_, SIGTERM);
  reap();
}

void EtcdProcess::kill() {
  if (pid_ > 0) ::kill(pid_, SIGKILL);
  reap();
}

bool EtcdProcess::restart() {
  kill();
  return start();
}

std::string EtcdProcess::output() const {
  std::lock_guard lock(mu_);
  return output_;
}

std::pair<int, std::string> EtcdProcess::etcdctl(const std::vector<std::string>& args) const {
  const std::string ctl = findEtcdctl();
  if (ctl.empty()) return {127, "etcdctl is not installed"};
  std::string line = "ETCDCTL_API=3 '" + ctl + "' --endpoints=" + endpoint();
  for (const auto& a : args) line += " '" + a + "'";
  CommandRun run = runCommand(line);
  return {run.exitCode, run.out};
}

}  // namespace migwarden::testing
