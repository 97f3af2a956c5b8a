// migwarden-webhook: wiring only. Parses the flags, loads the certificate, the policy
// table, the ledger and the agent-token verifier, builds the routes and serves until
// SIGTERM/SIGINT.
#include <spdlog/spdlog.h>

#include <cstdio>
#include <memory>
#include <string_view>
#include <vector>

#include "webhook/admission/review_service.h"
#include "webhook/cmd/webhook/audit_observer.h"
#include "webhook/cmd/webhook/ledger_audit.h"
#include "webhook/cmd/webhook/components.h"
#include "webhook/cmd/webhook/flags.h"
#include "webhook/cmd/webhook/periodic_task.h"
#include "webhook/cmd/webhook/policy_reloader.h"
#include "webhook/common/logging.h"
#include "webhook/common/metrics.h"
#include "webhook/ledger/api/ledger_api.h"
#include "webhook/policy/policy_store.h"
#include "webhook/rules/default_rules.h"
#include "webhook/server/certificate_store.h"
#include "webhook/server/readiness.h"
#include "webhook/server/router.h"
#include "webhook/server/webhook_server.h"

namespace {

using migwarden::HttpRequest;
using migwarden::HttpResponse;
using migwarden::server::HandlerResult;
using migwarden::server::Router;

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

// `api` (when set) must outlive the router.
void addLedgerRoutes(Router& router, const migwarden::ledger::LedgerApi* api) {
  for (const char* method : {"GET", "PUT"}) {
    router.addPrefix(method, "/ledger/v1/", [api](const HttpRequest& request) {
      if (!api)
        return HandlerResult{HttpResponse::error(503, "ServiceUnavailable",
                                                 "agent authentication is not configured: start migwarden-webhook "
                                                 "with --agent-hs256-key or --agent-jwks")};
      return HandlerResult{api->handle(request)};
    });
  }
}

int fail(std::string_view what, const migwarden::Status& status) {
  spdlog::error("{}: {}", what, status.message());
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  namespace mw = migwarden;
  using mw::webhook::ParsedFlags;
  std::vector<std::string_view> args(argv + 1, argv + argc);
  auto parsed = mw::webhook::parseFlags(args);
  if (!parsed.ok()) {
    std::fprintf(stderr, "migwarden-webhook: %s\n(see migwarden-webhook --help)\n", parsed.status().message().c_str());
    return 2;
  }
  if (parsed->action == ParsedFlags::Action::kHelp) {
    std::fputs(mw::webhook::helpText().c_str(), stdout);
    return 0;
  }
  if (parsed->action == ParsedFlags::Action::kVersion) {
    std::printf("migwarden-webhook %s\n", MIGWARDEN_VERSION);
    return 0;
  }
  const auto& config = parsed->config;
  if (auto s = mw::configureLogging(config.log); !s.ok()) {
    std::fprintf(stderr, "migwarden-webhook: %s\n", s.message().c_str());
    return 2;
  }

  mw::MetricsRegistry metrics;
  mw::PosixEnv env;
  mw::SystemClock clock;

  mw::server::CertificateStore certs(config.tls, metrics);
  if (auto s = certs.load(); !s.ok()) return fail("cannot load the serving certificate", s);

  auto policy = mw::webhook::loadPolicy(config, env);
  if (!policy.ok()) return fail("cannot load the policy", policy.status());
  mw::policy::PolicyStore policies(*policy);
  mw::webhook::PolicyReloader policyReloader(config, policies, env, metrics);
  mw::webhook::PeriodicTask policyPoll(config.policyPollInterval, [&policyReloader] { policyReloader.check(); });

  auto store = mw::webhook::openLedger(config, env, clock, metrics);
  if (!store.ok()) return fail("cannot open the ledger", store.status());

  // Destroyed after the server stops (reverse order), so every decision is flushed.
  auto auditLog = mw::webhook::openAuditLog(config, env, clock, metrics);
  if (!auditLog.ok()) return fail("cannot open the audit log", auditLog.status());
  std::unique_ptr<mw::webhook::AuditObserver> auditObserver;
  std::unique_ptr<mw::webhook::AuditedStore> auditedStore;
  std::unique_ptr<mw::webhook::LedgerReportAuditor> reportAuditor;
  if (*auditLog) {
    auditObserver = std::make_unique<mw::webhook::AuditObserver>(**auditLog, policies);
    auditedStore = std::make_unique<mw::webhook::AuditedStore>(**store, **auditLog, policies);
    reportAuditor = std::make_unique<mw::webhook::LedgerReportAuditor>(**auditLog, policies);
  }
  // Everything that changes the ledger goes through `ledger`, so the audit log sees it.
  mw::ledger::Store& ledger = auditedStore ? static_cast<mw::ledger::Store&>(*auditedStore) : **store;

  // Reservations that no agent report confirmed within their TTL go back to the pool.
  mw::webhook::PeriodicTask sweeper(config.reservationSweepInterval, [&ledger, &clock] {
    // The store logs each expiry; the audit log records it.
    auto expired = ledger.expireReservations(clock.now());
    if (!expired.ok()) spdlog::warn("ledger: expiring reservations failed: {}", expired.status().message());
  });

  auto verifier = mw::webhook::makeAgentVerifier(config, clock);
  if (!verifier.ok()) return fail("cannot set up agent authentication", verifier.status());
  std::unique_ptr<mw::ledger::LedgerApi> ledgerApi;
  if (*verifier) {
    mw::ledger::LedgerApiOptions apiOptions;
    apiOptions.observer = reportAuditor.get();
    ledgerApi = std::make_unique<mw::ledger::LedgerApi>(ledger, **verifier, &metrics, apiOptions);
  }

  mw::rules::RuleDeps ruleDeps{policies, ledger, clock, config.reservationTtl};
  auto admission =
      mw::admission::makeReviewService({&metrics, auditObserver.get()}, mw::rules::makeDefaultRules(ruleDeps));
  Router api;
  addAdmissionRoutes(api, *admission);
  addLedgerRoutes(api, ledgerApi.get());
  if (config.enableNullEndpoint) {
    // Load-test baseline only: the same server path without admission work.
    api.add("POST", "/null", [](const HttpRequest&) { return HandlerResult{HttpResponse::json(200, "{}")}; });
  }

  mw::server::Readiness readiness;
  readiness.add("ledger", [&store] { return (*store)->health(); });
  // In deny mode a broken audit sink stops GPU allocations, so the replica is not ready.
  if (*auditLog && (*auditLog)->failureMode() == mw::audit::AuditFailureMode::kDeny)
    readiness.add("audit", [&auditLog] { return (*auditLog)->health(); });
  mw::server::WebhookServer server(config.server, api, certs, readiness, metrics);
  if (auto s = server.start(); !s.ok()) return fail("cannot start", s);
  server.run();
  return 0;
}
