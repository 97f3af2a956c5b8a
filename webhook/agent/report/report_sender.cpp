#include "webhook/agent/report/report_sender.h"

#include <rapidjson/document.h>

#include "webhook/ledger/api/https_get.h"

namespace migwarden::agent {

Result<std::string> HttpsReportSender::readToken() const {
  auto contents = env_.readFile(options_.tokenFile);
  if (!contents.ok())
    return Status::FailedPrecondition("--token-file " + options_.tokenFile + ": " + contents.status().message());
  std::string token = std::move(*contents);
  while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  if (token.empty()) return Status::FailedPrecondition("--token-file " + options_.tokenFile + " is empty");
  return token;
}

Result<PushAnswer> HttpsReportSender::send(const ledger::NodeReport& report) {
  auto token = readToken();
  if (!token.ok()) return token.status();
  ledger::HttpsRequest request;
  request.method = "PUT";
  request.target.server = options_.server;
  request.target.path = "/ledger/v1/nodes/" + report.node;  // node names are DNS labels: no escaping needed
  request.target.bearerToken = std::move(*token);
  request.target.caFile = options_.caFile;
  request.target.timeout = options_.timeout;
  request.target.maxBodyBytes = 1 << 20;
  request.body = ledger::encodeNodeReport(report);
  request.userAgent = "migwarden-agent";
  auto response = ledger::httpsRequest(request);
  if (!response.ok()) return response.status();
  return PushAnswer{response->status, std::move(response->body)};
}

std::string_view pushOutcomeName(PushOutcome outcome) {
  switch (outcome) {
    case PushOutcome::kAccepted: return "accepted";
    case PushOutcome::kStale: return "stale";
    case PushOutcome::kUnauthorized: return "unauthorized";
    case PushOutcome::kForbidden: return "forbidden";
    case PushOutcome::kRejected: return "rejected";
    case PushOutcome::kServerError: return "server_error";
    case PushOutcome::kUnavailable: return "unavailable";
    case PushOutcome::kToken: return "token";
  }
  return "unknown";
}

PushOutcome classifyAnswer(const Result<PushAnswer>& answer) {
  if (!answer.ok())
    return answer.status().code() == StatusCode::kFailedPrecondition ? PushOutcome::kToken : PushOutcome::kUnavailable;
  const int s = answer->status;
  if (s >= 200 && s < 300) return PushOutcome::kAccepted;
  if (s == 409) return PushOutcome::kStale;
  if (s == 401) return PushOutcome::kUnauthorized;
  if (s == 403) return PushOutcome::kForbidden;
  if (s >= 400 && s < 500) return PushOutcome::kRejected;
  return PushOutcome::kServerError;
}

std::string answerReason(std::string_view body) {
  rapidjson::Document doc;
  doc.Parse(body.data(), body.size());
  if (!doc.HasParseError() && doc.IsObject()) {
    auto err = doc.FindMember("error");
    if (err != doc.MemberEnd() && err->value.IsObject()) {
      auto msg = err->value.FindMember("message");
      if (msg != err->value.MemberEnd() && msg->value.IsString()) return msg->value.GetString();
    }
  }
  return std::string(body.substr(0, 512));
}

}  // namespace migwarden::agent
