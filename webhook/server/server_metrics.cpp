#include "webhook/server/server_metrics.h"

#include <string>

namespace migwarden::server {

ServerMetrics::ServerMetrics(MetricsRegistry& registry)
    : handshakes(registry.counter("migwarden_tls_handshakes_total", "Completed TLS handshakes on the webhook port.")),
      handshakeFailures(registry.counter("migwarden_tls_handshake_failures_total",
                                         "TLS handshakes that failed or timed out on the webhook port.")),
      connectionLimitRejections(registry.counter("migwarden_connection_limit_rejections_total",
                                                 "Connections closed on accept because --max-connections were open.")),
      activeConnections(registry.gauge("migwarden_connections_active", "Open connections on the webhook port.")),
      registry_(registry),
      latencyBuckets_(latencyBucketsSeconds()) {}

void ServerMetrics::recordRequest(std::string_view pathLabel, int code, std::string_view decision, double seconds) {
  std::string path(pathLabel);
  registry_
      .counter("migwarden_http_requests_total", "HTTP requests on the webhook port by route, status and decision.",
               {{"path", path}, {"code", std::to_string(code)}, {"decision", std::string(decision)}})
      .inc();
  registry_
      .histogram("migwarden_http_request_duration_seconds",
                 "Server time per request: from its complete header to its response being ready to write.", latencyBuckets_,
                 {{"path", path}})
      .observe(seconds);
}

}  // namespace migwarden::server
