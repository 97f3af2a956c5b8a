#include "webhook/server/health_routes.h"

#include <gtest/gtest.h>

#include "webhook/server/server_metrics.h"

namespace migwarden::server {
namespace {

HttpRequest get(std::string path) {
  HttpRequest r;
  r.method = "GET";
  r.path = std::move(path);
  return r;
}

TEST(HealthRoutes, HealthzIsAlwaysOk) {
  Router router;
  Readiness readiness;
  MetricsRegistry metrics;
  addHealthRoutes(router, readiness, metrics);
  auto r = router.dispatch(get("/healthz")).result.http;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, "ok\n");
}

TEST(HealthRoutes, ReadyzListsEveryFailingCheck) {
  Router router;
  Readiness readiness;
  MetricsRegistry metrics;
  bool ledgerReady = false;
  readiness.add("certificate", [] { return Status::Ok(); });
  readiness.add("ledger", [&] { return ledgerReady ? Status::Ok() : Status::Unavailable("replaying"); });
  addHealthRoutes(router, readiness, metrics);

  auto notReady = router.dispatch(get("/readyz")).result.http;
  EXPECT_EQ(notReady.status, 503);
  EXPECT_NE(notReady.body.find("ledger: replaying"), std::string::npos);
  EXPECT_EQ(notReady.body.find("certificate"), std::string::npos);

  ledgerReady = true;
  EXPECT_EQ(router.dispatch(get("/readyz")).result.http.status, 200);

  readiness.setDraining();
  auto draining = router.dispatch(get("/readyz")).result.http;
  EXPECT_EQ(draining.status, 503);
  EXPECT_NE(draining.body.find("shutdown: draining"), std::string::npos);
}

TEST(HealthRoutes, MetricsRendersServerMetricsInPrometheusFormat) {
  Router router;
  Readiness readiness;
  MetricsRegistry metrics;
  ServerMetrics server(metrics);
  server.handshakes.inc();
  server.recordRequest("/validate", 200, "allowed", 0.0003);
  addHealthRoutes(router, readiness, metrics);

  auto r = router.dispatch(get("/metrics")).result.http;
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.contentType, "text/plain; version=0.0.4; charset=utf-8");
  EXPECT_NE(r.body.find("migwarden_tls_handshakes_total 1"), std::string::npos);
  EXPECT_NE(r.body.find("migwarden_http_requests_total{path=\"/validate\",code=\"200\",decision=\"allowed\"} 1"),
            std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find("# TYPE migwarden_http_request_duration_seconds histogram"), std::string::npos);
  EXPECT_NE(r.body.find("migwarden_http_request_duration_seconds_count{path=\"/validate\"} 1"), std::string::npos);
  EXPECT_NE(r.body.find("migwarden_connections_active 0"), std::string::npos);
  EXPECT_NE(r.body.find("migwarden_connection_limit_rejections_total 0"), std::string::npos);
}

}  // namespace
}  // namespace migwarden::server
