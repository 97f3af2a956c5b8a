// LedgerApi: the node agents' HTTP API to the ledger, transport-neutral (the server
// decodes HTTP and routes every path for which matches() is true here).
//
//   PUT /ledger/v1/nodes/{node}   a full node report from that node's agent
//   GET /ledger/v1/nodes          every node's summary, reservations, pending, conflicts
//   GET /ledger/v1/nodes/{node}   the node's last accepted report and its summary
//
// Every request needs `Authorization: Bearer <JWT>`. A PUT needs a token for {node}
// (403 otherwise). Reads accept a valid agent token for any node: agents and
// `migwardenctl ledger show --server` read the cluster-wide view, and the ledger holds
// no secrets (docs/ledger-api.md spells out what a token holder can see).
//
// Status codes: 400 bad node name / malformed report (the message names the field) /
// report.node != {node}; 401 missing or invalid token (with WWW-Authenticate); 403 token
// for another node; 404 unknown path or node; 405 other methods (with Allow); 409 stale
// sequence; 415 body not application/json; 503 ledger read-only after a write failure,
// ledger backend unavailable, or the observer refusing state changes (audit sink down).
// Body size limits (413) are the server's.
//
// Thread-safety: handle() is const and may run concurrently; the Store, the verifier
// and the MetricsRegistry must outlive the LedgerApi.
#pragma once

#include <memory>
#include <string_view>

#include "webhook/auth/token_verifier.h"
#include "webhook/common/http_message.h"
#include "webhook/common/metrics.h"
#include "webhook/ledger/node_report.h"
#include "webhook/ledger/store.h"

namespace migwarden::ledger {

// Told about every node report the API answers, accepted or refused (the webhook writes
// them to its audit log), and asked first whether state may change at all: with
// --audit-failure deny, a report the audit log cannot record is refused with 503.
// Called concurrently from request threads.
class ReportObserver {
 public:
  virtual ~ReportObserver() = default;
  virtual bool acceptingStateChanges() const { return true; }
  // `subject` is the token's subject (never the token).
  virtual void reportAccepted(const NodeReport& report, const ApplyOutcome& outcome, std::string_view subject) = 0;
  virtual void reportRefused(std::string_view node, std::string_view reason, int httpStatus,
                             std::string_view message) = 0;
};

struct LedgerApiOptions {
  NodeReportLimits reportLimits{};
  ReportObserver* observer = nullptr;  // optional; must outlive the LedgerApi
};

class LedgerApi {
 public:
  // `metrics` may be null (no metrics).
  LedgerApi(Store& store, const auth::TokenVerifier& verifier, MetricsRegistry* metrics,
            LedgerApiOptions options = {});
  ~LedgerApi();
  LedgerApi(const LedgerApi&) = delete;
  LedgerApi& operator=(const LedgerApi&) = delete;

  // True for every path under /ledger/v1/ (unknown ones are answered 404 here).
  static bool matches(std::string_view path);

  HttpResponse handle(const HttpRequest& request) const;

 private:
  struct Metrics;

  HttpResponse putNodeReport(const HttpRequest& request, const std::string& node) const;
  HttpResponse getNodeList(const HttpRequest& request) const;
  HttpResponse getNode(const HttpRequest& request, const std::string& node) const;
  // A refused report: counts it by reason, logs it (never the token) and builds the answer.
  HttpResponse refuse(std::string_view node, std::string_view outcome, HttpResponse response) const;

  Store& store_;
  const auth::TokenVerifier& verifier_;
  const LedgerApiOptions options_;
  std::unique_ptr<Metrics> metrics_;
};

}  // namespace migwarden::ledger
