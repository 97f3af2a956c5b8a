// Test fixture for the ledger API: a LedgerApi over a real LocalStore (temp dir,
// FakeClock, fault-injecting Env) and a real HS256 verifier; tokens minted with the
// auth module's mintDevToken.
#pragma once

#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/ledger/ledger_test_util.h"
#include "webhook/auth/hs256_verifier.h"
#include "webhook/common/http_message.h"
#include "webhook/common/metrics.h"
#include "webhook/ledger/api/ledger_api.h"

namespace migwarden::ledger::testutil {

inline constexpr const char* kTestKey = "0123456789abcdef0123456789abcdef-ledger-api-test";

class LedgerApiTest : public ::testing::Test {
 protected:
  LedgerApiTest();

  std::string tokenFor(const std::string& node, const std::string& key = kTestKey);
  // PUT /ledger/v1/nodes/{urlNode} with the report as JSON and a token for `tokenNode`.
  HttpResponse put(const std::string& urlNode, const std::string& body, const std::string& tokenNode);
  HttpResponse put(const NodeReport& report) { return put(report.node, encodeNodeReport(report), report.node); }
  static HttpRequest request(std::string method, std::string path, const std::string& token,
                             std::string body = "");
  HttpResponse get(const std::string& path, const std::string& tokenNode);
  uint64_t reports(const std::string& outcome);

  static nlohmann::json bodyOf(const HttpResponse& r) { return nlohmann::json::parse(r.body); }
  static std::string header(const HttpResponse& r, const std::string& name);

  StoreFixture fixture_;
  std::unique_ptr<auth::Hs256TokenVerifier> verifier_;
  MetricsRegistry apiMetrics_;
  std::unique_ptr<LedgerApi> api_;
};

}  // namespace migwarden::ledger::testutil
