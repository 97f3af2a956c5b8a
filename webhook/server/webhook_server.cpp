#include "webhook/server/webhook_server.h"

#include <boost/asio/post.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <thread>
#include <vector>

#include "webhook/server/health_routes.h"

namespace migwarden::server {
namespace net = boost::asio;
using boost::system::error_code;

namespace {
// Kubelet probes and Prometheus scrapes need few connections; more is a misbehaving client.
constexpr size_t kMaxHealthConnections = 64;
constexpr auto kLimitWarningInterval = std::chrono::seconds(10);
}  // namespace

WebhookServer::WebhookServer(ServerOptions options, const Router& api, CertificateStore& certs, Readiness& readiness,
                             MetricsRegistry& metrics)
    : options_(std::move(options)),
      certs_(certs),
      readiness_(readiness),
      metrics_(metrics),
      tlsConnections_(options_.maxConnections, &metrics_.activeConnections),
      healthConnections_(kMaxHealthConnections, nullptr),
      apiEnv_{api, options_.limits, &metrics_},
      healthEnv_{healthRouter_, options_.limits, nullptr},
      ioc_(static_cast<int>(std::max(1u, options_.threads))),
      control_(net::make_strand(ioc_)),
      signals_(ioc_),
      graceTimer_(control_) {
  readiness_.add("certificate", [&certs] {
    return certs.loaded() ? Status::Ok() : Status::Unavailable("no serving certificate loaded");
  });
  addHealthRoutes(healthRouter_, readiness_, metrics);
}

WebhookServer::~WebhookServer() = default;

Status WebhookServer::start() {
  if (!certs_.loaded()) return Status::FailedPrecondition("the serving certificate is not loaded");
  tlsListener_ = std::make_shared<Listener>(ioc_, [this](net::ip::tcp::socket&& s) { acceptTls(std::move(s)); });
  healthListener_ =
      std::make_shared<Listener>(ioc_, [this](net::ip::tcp::socket&& s) { acceptHealth(std::move(s)); });
  MIGWARDEN_RETURN_IF_ERROR(tlsListener_->bind(options_.listen).withContext("--listen"));
  MIGWARDEN_RETURN_IF_ERROR(healthListener_->bind(options_.healthListen).withContext("--health-listen"));

  reloader_ = std::make_shared<CertReloader>(ioc_, certs_, options_.certPollInterval);
  reloader_->start();
  if (options_.handleSignals) {
    signals_.add(SIGTERM);
    signals_.add(SIGINT);
    signals_.async_wait([this](error_code ec, int signo) {
      if (ec) return;
      net::post(control_, [this, signo] { beginShutdown(signo == SIGTERM ? "SIGTERM" : "SIGINT"); });
    });
  }
  tlsListener_->start();
  healthListener_->start();
  // Fixed text: scripts and integration tests find the ports in these two lines.
  spdlog::info("webhook listening on {} (tls)", formatEndpoint(tlsListener_->localEndpoint()));
  spdlog::info("health listening on {} (http)", formatEndpoint(healthListener_->localEndpoint()));
  return Status::Ok();
}

void WebhookServer::run() {
  unsigned n = std::max(1u, options_.threads);
  std::vector<std::thread> workers;
  workers.reserve(n - 1);
  for (unsigned i = 1; i < n; ++i) workers.emplace_back([this] { ioc_.run(); });
  ioc_.run();
  for (auto& t : workers) t.join();
  spdlog::info("shutdown complete");
}

void WebhookServer::requestShutdown() {
  net::post(control_, [this] { beginShutdown("requested"); });
}

net::ip::tcp::endpoint WebhookServer::tlsEndpoint() const { return tlsListener_->localEndpoint(); }
net::ip::tcp::endpoint WebhookServer::healthEndpoint() const { return healthListener_->localEndpoint(); }

void WebhookServer::acceptTls(net::ip::tcp::socket&& socket) {
  auto slot = tlsConnections_.tryAcquire();
  if (!slot) {
    metrics_.connectionLimitRejections.inc();
    warnConnectionLimit();
    error_code ignored;
    socket.close(ignored);
    return;
  }
  std::make_shared<HttpSession<TlsStream>>(std::move(socket), certs_.current(), apiEnv_, std::move(*slot))->run();
}

void WebhookServer::acceptHealth(net::ip::tcp::socket&& socket) {
  auto slot = healthConnections_.tryAcquire();
  if (!slot) {
    error_code ignored;
    socket.close(ignored);
    return;
  }
  std::make_shared<HttpSession<PlainStream>>(std::move(socket), healthEnv_, std::move(*slot))->run();
}

void WebhookServer::warnConnectionLimit() {
  // At most one line per interval: a connection flood must not become a log flood.
  int64_t now = std::chrono::steady_clock::now().time_since_epoch().count();
  int64_t last = lastLimitWarning_.load(std::memory_order_relaxed);
  auto interval = std::chrono::duration_cast<std::chrono::steady_clock::duration>(kLimitWarningInterval).count();
  if (last != 0 && now - last < interval) return;
  if (!lastLimitWarning_.compare_exchange_strong(last, now, std::memory_order_relaxed)) return;
  spdlog::warn("connection limit reached ({}); closing new connections (counted in "
               "migwarden_connection_limit_rejections_total)",
               tlsConnections_.maxConnections());
}

void WebhookServer::beginShutdown(std::string_view why) {
  if (shuttingDown_) return;
  shuttingDown_ = true;
  spdlog::info("shutdown ({}): draining {} connections for up to {} ms", why, tlsConnections_.active(),
               options_.shutdownGrace.count());
  if (tlsListener_) tlsListener_->stop();
  if (reloader_) reloader_->stop();
  error_code ignored;
  signals_.cancel(ignored);
  graceTimer_.expires_after(options_.shutdownGrace);
  graceTimer_.async_wait([this](error_code ec) {
    if (!ec) finishShutdown(false);
  });
  tlsConnections_.drainAll([this] { net::post(control_, [this] { finishShutdown(true); }); });
  // After drainAll(): whoever sees "not ready" knows every open connection was told to drain.
  readiness_.setDraining();
}

void WebhookServer::finishShutdown(bool graceful) {
  if (finished_) return;
  finished_ = true;
  graceTimer_.cancel();
  if (!graceful)
    spdlog::warn("shutdown grace of {} ms elapsed with {} connections open; closing them",
                 options_.shutdownGrace.count(), tlsConnections_.active());
  if (healthListener_) healthListener_->stop();
  // Hard stop: whatever is still pending (health probes, stragglers) is abandoned.
  ioc_.stop();
}

}  // namespace migwarden::server
