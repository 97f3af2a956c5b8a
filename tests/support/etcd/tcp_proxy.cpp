#include "tests/support/etcd/tcp_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>

namespace migwarden::testing {

TcpProxy::TcpProxy(int targetPort) : targetPort_(targetPort) {
  listenFd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (listenFd_ < 0 || bind(listenFd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      listen(listenFd_, 64) != 0 || getsockname(listenFd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0)
    throw std::runtime_error("TcpProxy: cannot listen on loopback");
  port_ = ntohs(addr.sin_port);
  if (pipe2(wakeFd_, O_CLOEXEC) != 0) throw std::runtime_error("TcpProxy: pipe2 failed");
  acceptor_ = std::thread([this] { acceptLoop(); });
}

TcpProxy::~TcpProxy() {
  stopping_ = true;
  (void)!write(wakeFd_[1], "x", 1);
  cut();
  acceptor_.join();
  for (auto& t : pumps_) t.join();
  close(listenFd_);
  close(wakeFd_[0]);
  close(wakeFd_[1]);
}

void TcpProxy::cut() {
  cut_ = true;
  std::lock_guard lock(mu_);
  for (int fd : live_) shutdown(fd, SHUT_RDWR);  // the pump closes it
}

void TcpProxy::resume() { cut_ = false; }

void TcpProxy::acceptLoop() {
  for (;;) {
    pollfd fds[2] = {{listenFd_, POLLIN, 0}, {wakeFd_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) continue;
    if (stopping_) return;
    if ((fds[0].revents & POLLIN) == 0) continue;
    const int client = accept4(listenFd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    if (cut_) {
      close(client);  // a partition: the connection dies at once
      continue;
    }
    const int server = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(static_cast<uint16_t>(targetPort_));
    if (server < 0 || connect(server, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
      if (server >= 0) close(server);
      close(client);
      continue;
    }
    int one = 1;
    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(server, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    std::lock_guard lock(mu_);
    live_.insert(client);
    live_.insert(server);
    pumps_.emplace_back([this, client, server] { pump(client, server); });
  }
}

void TcpProxy::pump(int client, int server) {
  char buf[16384];
  for (;;) {
    pollfd fds[2] = {{client, POLLIN, 0}, {server, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) break;
    bool done = false;
    for (int i = 0; i < 2 && !done; ++i) {
      if (fds[i].revents == 0) continue;
      const ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n <= 0) {
        done = true;
        break;
      }
      const int to = i == 0 ? server : client;
      for (ssize_t off = 0; off < n;) {
        const ssize_t w = write(to, buf + off, static_cast<size_t>(n - off));
        if (w <= 0) {
          done = true;
          break;
        }
        off += w;
      }
    }
    if (done || stopping_) break;
  }
  std::lock_guard lock(mu_);
  live_.erase(client);
  live_.erase(server);
  close(client);
  close(server);
}

}  // namespace migwarden::testing
