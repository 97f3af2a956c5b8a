#include "tests/ledger_api/ledger_api_fixture.h"

#include <stdexcept>

#include "webhook/auth/dev_token.h"

namespace migwarden::ledger::testutil {

LedgerApiTest::LedgerApiTest() {
  auto verifier = auth::Hs256TokenVerifier::create(kTestKey, auth::ClaimPolicy{}, fixture_.clock());
  if (!verifier.ok()) throw std::runtime_error(verifier.status().toString());
  verifier_ = std::move(verifier).value();
  api_ = std::make_unique<LedgerApi>(fixture_.store(), *verifier_, &apiMetrics_);
}

std::string LedgerApiTest::tokenFor(const std::string& node, const std::string& key) {
  auth::DevTokenRequest req;
  req.node = node;
  auto token = auth::mintDevToken(key, req, fixture_.clock());
  if (!token.ok()) throw std::runtime_error(token.status().toString());
  return *token;
}

HttpRequest LedgerApiTest::request(std::string method, std::string path, const std::string& token, std::string body) {
  HttpRequest r;
  r.method = std::move(method);
  r.path = std::move(path);
  if (!token.empty()) r.headers.emplace_back("authorization", "Bearer " + token);
  if (!body.empty()) r.headers.emplace_back("content-type", "application/json");
  r.body = std::move(body);
  r.remoteAddress = "10.0.0.7:40000";
  return r;
}

HttpResponse LedgerApiTest::put(const std::string& urlNode, const std::string& body, const std::string& tokenNode) {
  return api_->handle(request("PUT", "/ledger/v1/nodes/" + urlNode, tokenFor(tokenNode), body));
}

HttpResponse LedgerApiTest::get(const std::string& path, const std::string& tokenNode) {
  return api_->handle(request("GET", path, tokenFor(tokenNode)));
}

uint64_t LedgerApiTest::reports(const std::string& outcome) {
  return apiMetrics_.counter("migwarden_ledger_api_reports_total", "", {{"outcome", outcome}}).value();
}

std::string LedgerApiTest::header(const HttpResponse& r, const std::string& name) {
  for (const auto& [k, v] : r.headers)
    if (k == name) return v;
  return "<absent>";
}

}  // namespace migwarden::ledger::testutil
