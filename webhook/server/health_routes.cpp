#include "webhook/server/health_routes.h"

namespace migwarden::server {

void addHealthRoutes(Router& router, const Readiness& readiness, const MetricsRegistry& metrics) {
  router.add("GET", "/healthz", [](const HttpRequest&) { return HandlerResult{HttpResponse::text(200, "ok\n")}; });
  router.add("GET", "/readyz", [&readiness](const HttpRequest&) {
    auto failing = readiness.failing();
    if (failing.empty()) return HandlerResult{HttpResponse::text(200, "ok\n")};
    std::string body = "not ready:\n";
    for (const auto& f : failing) body += "- " + f + "\n";
    return HandlerResult{HttpResponse::text(503, std::move(body))};
  });
  router.add("GET", "/metrics", [&metrics](const HttpRequest&) {
    HttpResponse r = HttpResponse::text(200, metrics.renderPrometheus());
    r.contentType = "text/plain; version=0.0.4; charset=utf-8";
    return HandlerResult{std::move(r)};
  });
}

}  // namespace migwarden::server
