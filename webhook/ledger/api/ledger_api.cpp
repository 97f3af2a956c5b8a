#include "webhook/ledger/api/ledger_api.h"

#include <chrono>
#include <map>
#include <string>

#include <spdlog/spdlog.h>

#include "webhook/common/logging.h"
#include "webhook/ledger/api/ledger_api_routes.h"
#include "webhook/ledger/ledger_types.h"
#include "webhook/ledger/view_json.h"

namespace migwarden::ledger {
namespace {

// RFC 6750 §3: a 401 names the scheme; "invalid_token" once a token was presented.
constexpr const char* kChallenge = "Bearer realm=\"migwarden\"";
constexpr const char* kInvalidTokenChallenge = "Bearer realm=\"migwarden\", error=\"invalid_token\"";

// Outcome labels of migwarden_ledger_api_reports_total, declared once.
constexpr const char* kReportOutcomes[] = {"accepted",  "bad_request",            "unauthenticated",
                                           "forbidden", "unsupported_media_type", "stale",
                                           "read_only", "unavailable", "audit_unavailable", "error"};
constexpr const char* kReadOutcomes[] = {"ok", "bad_request", "unauthenticated", "not_found"};

HttpResponse methodNotAllowed(std::string_view method, const char* allow) {
  HttpResponse r = HttpResponse::error(405, "MethodNotAllowed",
                                       "method " + std::string(method.substr(0, 16)) + " is not allowed here; use " + allow);
  r.headers.emplace_back("Allow", allow);
  return r;
}

// 401 or 403 for a failed verification, with the challenge header a 401 must carry.
HttpResponse authFailure(const Status& status, bool tokenPresented) {
  if (auth::failureKindOf(status) == auth::AuthFailure::kForbidden)
    return HttpResponse::error(403, "Forbidden", status.message());
  HttpResponse r = HttpResponse::error(401, "Unauthorized", status.message());
  r.headers.emplace_back("WWW-Authenticate", tokenPresented ? kInvalidTokenChallenge : kChallenge);
  return r;
}

// "application/json" with optional parameters ("; charset=utf-8"), case-insensitive.
bool isJsonContentType(std::string_view value) {
  std::string_view media = value.substr(0, value.find(';'));
  while (!media.empty() && media.back() == ' ') media.remove_suffix(1);
  while (!media.empty() && media.front() == ' ') media.remove_prefix(1);
  constexpr std::string_view kJson = "application/json";
  if (media.size() != kJson.size()) return false;
  for (size_t i = 0; i < kJson.size(); ++i) {
    char c = media[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != kJson[i]) return false;
  }
  return true;
}

std::string acceptedBody(const NodeReport& report, const ApplyOutcome& outcome) {
  std::string body = "{\"accepted\":true,\"node\":\"" + jsonEscape(report.node) +
                     "\",\"sequence\":" + std::to_string(report.sequence) + ",\"bootId\":\"" +
                     jsonEscape(report.bootId) + "\",\"newBoot\":" + (outcome.newBoot ? "true" : "false") +
                     ",\"nowBound\":" + std::to_string(outcome.nowBound.size()) +
                     ",\"released\":" + std::to_string(outcome.released.size()) +
                     ",\"newConflicts\":" + std::to_string(outcome.newConflicts.size()) + ",\"conflicts\":[";
  for (size_t i = 0; i < outcome.conflicts.size(); ++i) {
    const Conflict& c = outcome.conflicts[i];
    if (i > 0) body += ',';
    body += "{\"kind\":\"" + jsonEscape(conflictKindName(c.kind)) + "\",\"message\":\"" + jsonEscape(c.message) + "\"}";
  }
  body += "]}";
  return body;
}

// Reads accept a valid token for any node. The verifier's contract makes that
// checkable without an any-node mode: PermissionDenied means every check passed except
// the node match (token_verifier.h).
Status authorizeRead(const auth::TokenVerifier& verifier, const HttpRequest& request,
                           std::string_view node, bool* tokenPresented) {
  *tokenPresented = false;
  auto token = auth::bearerTokenFromHeader(request.header("authorization"));
  if (!token.ok()) return token.status();
  *tokenPresented = true;
  auto identity = verifier.verify(*token, node);
  if (identity.ok() || auth::failureKindOf(identity.status()) == auth::AuthFailure::kForbidden) return Status::Ok();
  return identity.status();
}

using CounterMap = std::map<std::string, Counter*, std::less<>>;

void bump(const CounterMap& counters, std::string_view outcome) {
  if (auto it = counters.find(outcome); it != counters.end()) it->second->inc();
}

}  // namespace

struct LedgerApi::Metrics {
  explicit Metrics(MetricsRegistry& r) : registry(r) {
    for (const char* o : kReportOutcomes)
      reports[o] = &r.counter("migwarden_ledger_api_reports_total", "Node reports received by the ledger API, by outcome",
                              {{"outcome", o}});
    for (const char* o : kReadOutcomes)
      reads[o] = &r.counter("migwarden_ledger_api_reads_total", "Ledger API reads (GET), by outcome", {{"outcome", o}});
  }
  // One series per node that ever reported (bounded by the cluster's GPU nodes): lets
  // operators alert on a node whose agent went quiet (docs/operations.md).
  void nodeReported(const std::string& node) {
    const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
    registry
        .gauge("migwarden_ledger_node_last_report_timestamp_seconds",
               "Unix time of the last node report the ledger accepted, by node", {{"node", node}})
        .set(now);
  }
  MetricsRegistry& registry;
  CounterMap reports;
  CounterMap reads;
};

LedgerApi::LedgerApi(Store& store, const auth::TokenVerifier& verifier, MetricsRegistry* metrics,
                     LedgerApiOptions options)
    : store_(store), verifier_(verifier), options_(std::move(options)) {
  if (metrics != nullptr) metrics_ = std::make_unique<Metrics>(*metrics);
}

LedgerApi::~LedgerApi() = default;

bool LedgerApi::matches(std::string_view path) { return path.starts_with(kLedgerApiPrefix); }

HttpResponse LedgerApi::handle(const HttpRequest& request) const {
  const LedgerRoute route = parseLedgerPath(request.path);
  switch (route.endpoint) {
    case LedgerEndpoint::kUnknown:
      return HttpResponse::error(404, "NotFound", "no such ledger API resource; see /ledger/v1/nodes");
    case LedgerEndpoint::kNodeList:
      if (request.method != "GET") return methodNotAllowed(request.method, "GET");
      return getNodeList(request);
    case LedgerEndpoint::kNode:
      if (request.method == "PUT") return putNodeReport(request, route.node);
      if (request.method == "GET") return getNode(request, route.node);
      return methodNotAllowed(request.method, "GET, PUT");
  }
  return HttpResponse::error(500, "InternalError", "unroutable ledger API request");
}

HttpResponse LedgerApi::refuse(std::string_view node, std::string_view outcome, HttpResponse response) const {
  if (metrics_) bump(metrics_->reports, outcome);
  // The error message never holds the token (auth messages name the failed check only).
  spdlog::info("ledger api: refused report for node {}: HTTP {} {}: {}", node, response.status, outcome, response.body);
  if (options_.observer) options_.observer->reportRefused(node, outcome, response.status, response.body);
  return response;
}

HttpResponse LedgerApi::putNodeReport(const HttpRequest& request, const std::string& node) const {
  if (Status s = validateNodeName(node); !s.ok())
    return refuse("(invalid name)", "bad_request", HttpResponse::error(400, "BadRequest", s.message()));

  // Authenticate before looking at the body: an anonymous caller learns nothing about
  // what the ledger would accept.
  auto token = auth::bearerTokenFromHeader(request.header("authorization"));
  if (!token.ok()) return refuse(node, "unauthenticated", authFailure(token.status(), false));
  auto identity = verifier_.verify(*token, node);
  if (!identity.ok()) {
    const bool forbidden = auth::failureKindOf(identity.status()) == auth::AuthFailure::kForbidden;
    return refuse(node, forbidden ? "forbidden" : "unauthenticated", authFailure(identity.status(), true));
  }

  if (!isJsonContentType(request.header("content-type")))
    return refuse(node, "unsupported_media_type",
                  HttpResponse::error(415, "UnsupportedMediaType",
                                      "a node report must be sent as Content-Type: application/json"));
  auto report = parseNodeReport(request.body, options_.reportLimits);
  if (!report.ok())
    return refuse(node, "bad_request",
                  HttpResponse::error(400, "BadRequest", "malformed node report: " + report.status().message()));
  if (report->node != node)
    return refuse(node, "bad_request",
                  HttpResponse::error(400, "BadRequest",
                                      "node: the report is for \"" + report->node.substr(0, 64) +
                                          "\" but was sent to /ledger/v1/nodes/" + node));

  if (options_.observer && !options_.observer->acceptingStateChanges())
    return refuse(node, "audit_unavailable",
                  HttpResponse::error(503, "ServiceUnavailable",
                                      "the audit log cannot record ledger changes (--audit-failure deny); "
                                      "the report was not applied, retry later"));
  auto outcome = store_.applyNodeReport(*report);
  if (!outcome.ok()) {
    const Status& s = outcome.status();
    switch (s.code()) {
      case StatusCode::kConflict:
        return refuse(node, "stale", HttpResponse::error(409, "Conflict", s.message()));
      case StatusCode::kInvalidArgument:
        return refuse(node, "bad_request", HttpResponse::error(400, "BadRequest", s.message()));
      case StatusCode::kUnavailable:
        return refuse(node, "unavailable",
                      HttpResponse::error(503, "ServiceUnavailable", "the ledger cannot take reports now: " + s.message()));
      case StatusCode::kIOError:
        return refuse(node, "read_only",
                      HttpResponse::error(503, "ServiceUnavailable",
                                          "the ledger is read-only after a storage failure and accepts no reports "
                                          "until an operator restarts the webhook: " +
                                              s.message()));
      default:
        spdlog::error("ledger api: applying the report of node {} failed: {}", node, s.toString());
        return refuse(node, "error", HttpResponse::error(500, "InternalError", s.message()));
    }
  }
  if (metrics_) {
    bump(metrics_->reports, "accepted");
    metrics_->nodeReported(node);
  }
  if (options_.observer) options_.observer->reportAccepted(*report, *outcome, identity->subject);
  spdlog::info(
      "ledger api: accepted report from node {} (subject {}): sequence {}, boot {}{}, {} GPUs, {} allocations, "
      "{} conflicts ({} new)",
      node, identity->subject, report->sequence, report->bootId, outcome->newBoot ? " (new)" : "", report->gpus.size(),
      report->allocations.size(), outcome->conflicts.size(), outcome->newConflicts.size());
  return HttpResponse::json(200, acceptedBody(*report, *outcome));
}


HttpResponse LedgerApi::getNodeList(const HttpRequest& request) const {
  bool presented = false;
  // No node can be named "": a valid token always comes back as "another node".
  if (Status s = authorizeRead(verifier_, request, "", &presented); !s.ok()) {
    if (metrics_) bump(metrics_->reads, "unauthenticated");
    return authFailure(s, presented);
  }
  if (metrics_) bump(metrics_->reads, "ok");
  return HttpResponse::json(200, encodeLedgerView(store_.view()));
}

HttpResponse LedgerApi::getNode(const HttpRequest& request, const std::string& node) const {
  if (Status s = validateNodeName(node); !s.ok()) {
    if (metrics_) bump(metrics_->reads, "bad_request");
    return HttpResponse::error(400, "BadRequest", s.message());
  }
  bool presented = false;
  if (Status s = authorizeRead(verifier_, request, node, &presented); !s.ok()) {
    if (metrics_) bump(metrics_->reads, "unauthenticated");
    return authFailure(s, presented);
  }
  auto entry = store_.node(node);
  if (!entry) {
    if (metrics_) bump(metrics_->reads, "not_found");
    return HttpResponse::error(404, "NotFound", "node " + node + " has never reported to the ledger");
  }
  if (metrics_) bump(metrics_->reads, "ok");
  return HttpResponse::json(200, encodeNodeView(entry->first, entry->second));
}

}  // namespace migwarden::ledger
