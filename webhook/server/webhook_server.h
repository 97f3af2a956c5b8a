// Composes the transport: the TLS listener with its sessions, the plain-HTTP health
// port, certificate reloading, the connection limit and graceful shutdown. It knows
// nothing about admission: requests go to the Router the caller built.
//
// Threading: one io_context shared by `threads` threads; every connection runs on its
// own strand (see docs/webhook-server.md for the measurement behind this choice).
//
// Shutdown (SIGTERM/SIGINT or requestShutdown()): stop accepting, mark not ready, let
// in-flight requests finish and close idle keep-alive connections, bounded by
// shutdownGrace; then stop. run() returns when done.
//
// Thread-safety: start() and run() from one thread; requestShutdown() from any thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>

#include <atomic>
#include <chrono>
#include <memory>

#include "webhook/common/metrics.h"
#include "webhook/common/status.h"
#include "webhook/server/cert_reloader.h"
#include "webhook/server/certificate_store.h"
#include "webhook/server/connection_tracker.h"
#include "webhook/server/http_session.h"
#include "webhook/server/listener.h"
#include "webhook/server/readiness.h"
#include "webhook/server/router.h"
#include "webhook/server/server_metrics.h"
#include "webhook/server/session_options.h"

namespace migwarden::server {

struct ServerOptions {
  ListenAddress listen{"0.0.0.0", 8443};
  ListenAddress healthListen{"0.0.0.0", 8080};
  SessionLimits limits;
  size_t maxConnections = 4096;
  std::chrono::milliseconds shutdownGrace{25'000};
  std::chrono::milliseconds certPollInterval{10'000};
  unsigned threads = 1;
  bool handleSignals = true;  // false in in-process tests
};

class WebhookServer {
 public:
  // All references must outlive the server. Adds the "certificate" readiness check and
  // the health routes.
  WebhookServer(ServerOptions options, const Router& api, CertificateStore& certs, Readiness& readiness,
                MetricsRegistry& metrics);
  ~WebhookServer();
  WebhookServer(const WebhookServer&) = delete;
  WebhookServer& operator=(const WebhookServer&) = delete;

  // Binds both ports and logs the documented "listening" lines.
  Status start();
  // Serves until shutdown completes.
  void run();
  void requestShutdown();

  boost::asio::ip::tcp::endpoint tlsEndpoint() const;
  boost::asio::ip::tcp::endpoint healthEndpoint() const;

 private:
  void acceptTls(boost::asio::ip::tcp::socket&& socket);
  void acceptHealth(boost::asio::ip::tcp::socket&& socket);
  void warnConnectionLimit();
  void beginShutdown(std::string_view why);  // on control_
  void finishShutdown(bool graceful);        // on control_

  const ServerOptions options_;
  CertificateStore& certs_;
  Readiness& readiness_;
  ServerMetrics metrics_;
  Router healthRouter_;
  ConnectionTracker tlsConnections_;
  ConnectionTracker healthConnections_;
  const SessionEnv apiEnv_;
  const SessionEnv healthEnv_;
  std::atomic<int64_t> lastLimitWarning_{0};  // steady-clock nanoseconds

  // Declared after everything the pending handlers reference, so that it is destroyed
  // (and those handlers with it) first.
  boost::asio::io_context ioc_;
  boost::asio::strand<boost::asio::io_context::executor_type> control_;
  boost::asio::signal_set signals_;
  boost::asio::steady_timer graceTimer_;
  std::shared_ptr<Listener> tlsListener_;
  std::shared_ptr<Listener> healthListener_;
  std::shared_ptr<CertReloader> reloader_;
  bool shuttingDown_ = false;  // on control_
  bool finished_ = false;      // on control_
};

}  // namespace migwarden::server
