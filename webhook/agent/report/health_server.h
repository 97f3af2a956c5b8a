// The agent's plain-HTTP health port: GET /healthz, /readyz, /metrics, served by the
// webhook's own server pieces (Listener, HttpSession, Router, health routes) on one
// io_context thread. Logs "agent health listening on HOST:PORT (http)" once bound,
// which is how tests using port 0 find it.
//
// Thread-safety: start() and stop() from the owning thread; requests run on the
// server's thread and only call the thread-safe Readiness checks and MetricsRegistry.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>

#include <memory>
#include <thread>

#include "webhook/common/metrics.h"
#include "webhook/common/status.h"
#include "webhook/server/connection_tracker.h"
#include "webhook/server/listener.h"
#include "webhook/server/readiness.h"
#include "webhook/server/router.h"
#include "webhook/server/session_options.h"

namespace migwarden::server {
struct SessionEnv;  // http_session.h: Beast headers stay in the .cpp
}  // namespace migwarden::server

namespace migwarden::agent {

class HealthServer {
 public:
  // `readiness` and `metrics` must outlive the server.
  HealthServer(const server::Readiness& readiness, const MetricsRegistry& metrics);
  ~HealthServer();  // stop()
  HealthServer(const HealthServer&) = delete;
  HealthServer& operator=(const HealthServer&) = delete;

  // Binds (errors name --health-listen) and starts serving on a thread.
  Status start(const server::ListenAddress& address);
  void stop();
  boost::asio::ip::tcp::endpoint endpoint() const;

 private:
  void accept(boost::asio::ip::tcp::socket&& socket);

  server::Router router_;
  server::SessionLimits limits_;
  server::ConnectionTracker connections_;
  std::unique_ptr<server::SessionEnv> env_;
  // After everything the pending handlers reference, so it is destroyed first.
  boost::asio::io_context ioc_;
  std::shared_ptr<server::Listener> listener_;
  std::thread thread_;
};

}  // namespace migwarden::agent
