// Sending a node report to the ledger API, and what the answer means for the agent.
// ReportSender is the seam between the report loop and the network: the loop is tested
// with a scripted sender, the binary uses HttpsReportSender.
//
// Thread-safety: HttpsReportSender::send() is safe from any thread (no shared state
// besides the read-only options); classifyAnswer() is a pure function.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "webhook/common/env.h"
#include "webhook/common/status.h"
#include "webhook/ledger/node_report.h"

namespace migwarden::agent {

struct PushAnswer {
  int status = 0;
  std::string body;
};

class ReportSender {
 public:
  virtual ~ReportSender() = default;
  // The server's answer, whatever its status; an error when no answer came (network,
  // TLS, deadline: Unavailable) or nothing could be sent (token file: FailedPrecondition).
  virtual Result<PushAnswer> send(const ledger::NodeReport& report) = 0;
};

struct HttpsSenderOptions {
  std::string server;     // "https://host:port"
  std::string caFile;     // PEM trust anchors for the server certificate; "" = system roots
  std::string tokenFile;  // Bearer token, re-read on every send (projected tokens rotate)
  std::chrono::milliseconds timeout{10'000};
};

// PUT /ledger/v1/nodes/{report.node} over TLS. Never logs or returns the token.
class HttpsReportSender final : public ReportSender {
 public:
  HttpsReportSender(HttpsSenderOptions options, Env& env) : options_(std::move(options)), env_(env) {}
  Result<PushAnswer> send(const ledger::NodeReport& report) override;

 private:
  Result<std::string> readToken() const;

  const HttpsSenderOptions options_;
  Env& env_;
};

// What a push attempt came to. The names are the `reason` label of
// migwarden_agent_report_failures_total (kAccepted is not a failure).
enum class PushOutcome {
  kAccepted,      // 200
  kStale,         // 409: the ledger has a higher sequence for this boot
  kUnauthorized,  // 401: token missing, expired or not signed by a trusted key
  kForbidden,     // 403: token for another node
  kRejected,      // other 4xx: the report or request is malformed (a bug: say so loudly)
  kServerError,   // 5xx (503: ledger read-only) or an unexpected status
  kUnavailable,   // no answer: connect, TLS, deadline
  kToken,         // the token file cannot be read or is empty
};
std::string_view pushOutcomeName(PushOutcome outcome);
PushOutcome classifyAnswer(const Result<PushAnswer>& answer);

// The `message` of the API's error body ({"error":{"message":...}}), else the body
// itself cut to 512 bytes (never a token: the server does not echo it).
std::string answerReason(std::string_view body);

}  // namespace migwarden::agent
