// The HTTP server's metrics, created once at construction (Envoy-style stats list).
// Request counters are labelled {path, code, decision}; `path` is always a route pattern
// or "other", so label cardinality stays bounded whatever clients send.
//
// Thread-safety: all methods are safe from any thread.
#pragma once

#include <string_view>
#include <vector>

#include "webhook/common/metrics.h"

namespace migwarden::server {

class ServerMetrics {
 public:
  explicit ServerMetrics(MetricsRegistry& registry);

  void recordRequest(std::string_view pathLabel, int code, std::string_view decision, double seconds);

  Counter& handshakes;
  Counter& handshakeFailures;
  Counter& connectionLimitRejections;
  Gauge& activeConnections;

 private:
  MetricsRegistry& registry_;
  const std::vector<double> latencyBuckets_;
};

}  // namespace migwarden::server
