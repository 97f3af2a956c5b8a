// TcpProxy: a loopback TCP forwarder the test can cut and resume, to simulate a
// network partition between a client and a server that keeps running (etcd stays up
// and can be compacted while the client is cut off). Thread-safe.
#pragma once

#include <atomic>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

namespace migwarden::testing {

class TcpProxy {
 public:
  // Listens on a free 127.0.0.1 port and forwards to 127.0.0.1:targetPort.
  explicit TcpProxy(int targetPort);
  ~TcpProxy();
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  int port() const { return port_; }
  std::string endpoint() const { return "http://127.0.0.1:" + std::to_string(port_); }
  // Closes every forwarded connection and refuses new ones until resume().
  void cut();
  void resume();

 private:
  void acceptLoop();
  void pump(int client, int server);

  int targetPort_;
  int port_ = 0;
  int listenFd_ = -1;
  int wakeFd_[2] = {-1, -1};
  std::atomic<bool> stopping_{false};
  std::atomic<bool> cut_{false};
  std::mutex mu_;
  std::set<int> live_;  // sockets of forwarded connections
  std::vector<std::thread> pumps_;
  std::thread acceptor_;
};

}  // namespace migwarden::testing
