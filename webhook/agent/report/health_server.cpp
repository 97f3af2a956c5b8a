#include "webhook/agent/report/health_server.h"

#include <spdlog/spdlog.h>

#include "webhook/server/health_routes.h"
#include "webhook/server/http_session.h"

namespace migwarden::agent {
namespace {

// Kubelet probes and Prometheus scrapes need few connections.
constexpr size_t kMaxHealthConnections = 16;

}  // namespace

HealthServer::HealthServer(const server::Readiness& readiness, const MetricsRegistry& metrics)
    : connections_(kMaxHealthConnections, nullptr), env_(std::make_unique<server::SessionEnv>(server::SessionEnv{router_, limits_, nullptr})) {
  limits_.bodyLimitBytes = 64 * 1024;
  addHealthRoutes(router_, readiness, metrics);
}

HealthServer::~HealthServer() { stop(); }

Status HealthServer::start(const server::ListenAddress& address) {
  listener_ = std::make_shared<server::Listener>(
      ioc_, [this](boost::asio::ip::tcp::socket&& s) { accept(std::move(s)); });
  MIGWARDEN_RETURN_IF_ERROR(listener_->bind(address).withContext("--health-listen"));
  listener_->start();
  spdlog::info("agent health listening on {} (http)", server::formatEndpoint(listener_->localEndpoint()));
  thread_ = std::thread([this] { ioc_.run(); });
  return Status::Ok();
}

void HealthServer::stop() {
  if (!thread_.joinable()) return;
  listener_->stop();
  // Probes are short; whatever is still open is abandoned.
  ioc_.stop();
  thread_.join();
}

boost::asio::ip::tcp::endpoint HealthServer::endpoint() const { return listener_->localEndpoint(); }

void HealthServer::accept(boost::asio::ip::tcp::socket&& socket) {
  auto slot = connections_.tryAcquire();
  if (!slot) {
    boost::system::error_code ignored;
    socket.close(ignored);
    return;
  }
  std::make_shared<server::HttpSession<server::PlainStream>>(std::move(socket), *env_, std::move(*slot))->run();
}

}  // namespace migwarden::agent
