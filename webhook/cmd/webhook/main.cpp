// migwarden-webhook: wiring only. Parses the flags, loads the certificate, builds the
// routes and runs the server until SIGTERM/SIGINT.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <string_view>
#include <vector>

#include "webhook/cmd/webhook/flags.h"
#include "webhook/common/logging.h"
#include "webhook/common/metrics.h"
#include "webhook/server/certificate_store.h"
#include "webhook/server/readiness.h"
#include "webhook/server/router.h"
#include "webhook/server/webhook_server.h"

#ifdef MIGWARDEN_HAS_ADMISSION
#include "webhook/admission/review_service.h"
#endif

namespace {

using migwarden::HttpRequest;
using migwarden::HttpResponse;
using migwarden::server::HandlerResult;
using migwarden::server::Router;

#ifdef MIGWARDEN_HAS_ADMISSION
// `service` must outlive the router.
void addAdmissionRoutes(Router& router, migwarden::admission::AdmissionService& service) {
  using migwarden::admission::Endpoint;
  for (auto [path, endpoint] : {std::pair{"/mutate", Endpoint::kMutate}, std::pair{"/validate", Endpoint::kValidate}}) {
    router.add("POST", path, [&service, endpoint](const HttpRequest& request) {
      auto result = service.handle(endpoint, request);
      return HandlerResult{std::move(result.http), std::move(result.decision)};
    });
  }
}
#else
// A partial developer build without webhook/admission: answer 503 so that such a binary
// can never be mistaken for one that admits everything.
void addUnavailableAdmissionRoutes(Router& router) {
  for (const char* path : {"/mutate", "/validate"}) {
    router.add("POST", path, [](const HttpRequest&) {
      return HandlerResult{HttpResponse::error(503, "ServiceUnavailable", "built without the admission module"),
                           "invalid"};
    });
  }
}
#endif

}  // namespace

int main(int argc, char** argv) {
  using migwarden::webhook::ParsedFlags;
  std::vector<std::string_view> args(argv + 1, argv + argc);
  auto parsed = migwarden::webhook::parseFlags(args);
  if (!parsed.ok()) {
    std::fprintf(stderr, "migwarden-webhook: %s\n", parsed.status().message().c_str());
    return 2;
  }
  if (parsed->action == ParsedFlags::Action::kHelp) {
    std::fputs(migwarden::webhook::helpText().c_str(), stdout);
    return 0;
  }
  if (parsed->action == ParsedFlags::Action::kVersion) {
    std::printf("migwarden-webhook %s\n", MIGWARDEN_VERSION);
    return 0;
  }
  const auto& config = parsed->config;
  if (auto s = migwarden::configureLogging(config.log); !s.ok()) {
    std::fprintf(stderr, "migwarden-webhook: %s\n", s.message().c_str());
    return 2;
  }

  migwarden::MetricsRegistry metrics;
  migwarden::server::CertificateStore certs(config.tls, metrics);
  if (auto s = certs.load(); !s.ok()) {
    spdlog::error("cannot load the serving certificate: {}", s.message());
    return 1;
  }

  Router api;
#ifdef MIGWARDEN_HAS_ADMISSION
  auto admission = migwarden::admission::makeReviewService({&metrics});
  addAdmissionRoutes(api, *admission);
#else
  spdlog::warn("built without the admission module: /mutate and /validate answer 503");
  addUnavailableAdmissionRoutes(api);
#endif
  if (config.enableNullEndpoint) {
    // Load-test baseline only: the same server path without admission work.
    api.add("POST", "/null", [](const HttpRequest&) { return HandlerResult{HttpResponse::json(200, "{}")}; });
  }

  migwarden::server::Readiness readiness;
  migwarden::server::WebhookServer server(config.server, api, certs, readiness, metrics);
  if (auto s = server.start(); !s.ok()) {
    spdlog::error("cannot start: {}", s.message());
    return 1;
  }
  server.run();
  return 0;
}
