// GET /ledger/v1/nodes[/{node}], routing, methods and metrics.
#include "tests/ledger_api/ledger_api_fixture.h"

namespace migwarden::ledger::testutil {
namespace {

TEST_F(LedgerApiTest, ReportRoundTripsThroughGetNode) {
  NodeReport report = a100Node("gpu-a", 2, 7, 9);
  allocate(report, "uid-1", "train-1", kMig1g, {migUuid("gpu-a", 1, 3)});
  ASSERT_EQ(put(report).status, 200);
  HttpResponse r = get("/ledger/v1/nodes/gpu-a", "gpu-a");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = bodyOf(r);
  auto back = parseNodeReport(body["report"].dump());
  ASSERT_TRUE(back.ok()) << back.status().toString();
  EXPECT_EQ(back->gpus, report.gpus);
  EXPECT_EQ(back->sequence, 9);
  EXPECT_EQ(body["summary"]["name"], "gpu-a");
  EXPECT_EQ(body["summary"]["driverVersion"], "550.54.15");
  ASSERT_EQ(body["summary"]["resources"].size(), 1u);
  EXPECT_EQ(body["summary"]["resources"][0]["total"], 14);
  EXPECT_EQ(body["summary"]["resources"][0]["free"], 13);
}

TEST_F(LedgerApiTest, NodeListSummarisesEveryNode) {
  ASSERT_EQ(put(a100Node("gpu-a")).status, 200);
  ASSERT_EQ(put(a100Node("gpu-b", 1, 3)).status, 200);
  HttpResponse r = get("/ledger/v1/nodes", "gpu-a");
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = bodyOf(r);
  ASSERT_EQ(body["nodes"].size(), 2u);
  EXPECT_EQ(body["nodes"][1]["name"], "gpu-b");
  EXPECT_EQ(body["nodes"][1]["resources"][0]["free"], 3);
  EXPECT_EQ(body["nodes"][1]["reconfiguring"], false);
  EXPECT_TRUE(body["conflicts"].is_array());
  EXPECT_EQ(body["readOnly"], false);
}

TEST_F(LedgerApiTest, ReadsAcceptAValidTokenForAnyNode) {
  ASSERT_EQ(put(a100Node("gpu-a")).status, 200);
  EXPECT_EQ(get("/ledger/v1/nodes/gpu-a", "gpu-z").status, 200);
  EXPECT_EQ(get("/ledger/v1/nodes", "gpu-z").status, 200);
}

TEST_F(LedgerApiTest, ReadsWithoutAValidTokenAre401) {
  ASSERT_EQ(put(a100Node("gpu-a")).status, 200);
  for (const char* path : {"/ledger/v1/nodes", "/ledger/v1/nodes/gpu-a"}) {
    HttpResponse none = api_->handle(request("GET", path, ""));
    EXPECT_EQ(none.status, 401) << path;
    EXPECT_EQ(header(none, "WWW-Authenticate"), "Bearer realm=\"migwarden\"");
    std::string token = tokenFor("gpu-a");
    token[token.size() / 2] = token[token.size() / 2] == 'x' ? 'y' : 'x';
    EXPECT_EQ(api_->handle(request("GET", path, token)).status, 401) << path;
    EXPECT_EQ(api_->handle(request("GET", path, tokenFor("gpu-a", "wrong-key-wrong-key-wrong-key-wrong-key"))).status,
              401)
        << path;
  }
}

TEST_F(LedgerApiTest, UnknownNodeIs404) {
  HttpResponse r = get("/ledger/v1/nodes/gpu-nope", "gpu-a");
  EXPECT_EQ(r.status, 404);
  EXPECT_EQ(bodyOf(r)["error"]["reason"], "NotFound");
}

TEST_F(LedgerApiTest, InvalidNodeNameOnGetIs400) {
  EXPECT_EQ(get("/ledger/v1/nodes/-gpu", "gpu-a").status, 400);
}

TEST_F(LedgerApiTest, UnknownSubpathsAre404) {
  for (const char* path : {"/ledger/v1/", "/ledger/v1/pods", "/ledger/v1/nodes/", "/ledger/v1/nodes/gpu-a/gpus",
                           "/ledger/v1/nodesx"}) {
    EXPECT_EQ(get(path, "gpu-a").status, 404) << path;
  }
}

TEST_F(LedgerApiTest, OtherMethodsAre405WithAllow) {
  HttpResponse onNode = api_->handle(request("DELETE", "/ledger/v1/nodes/gpu-a", tokenFor("gpu-a")));
  EXPECT_EQ(onNode.status, 405);
  EXPECT_EQ(header(onNode, "Allow"), "GET, PUT");
  HttpResponse onList = api_->handle(request("POST", "/ledger/v1/nodes", tokenFor("gpu-a"), "{}"));
  EXPECT_EQ(onList.status, 405);
  EXPECT_EQ(header(onList, "Allow"), "GET");
}

TEST_F(LedgerApiTest, MatchesOnlyTheLedgerPrefix) {
  EXPECT_TRUE(LedgerApi::matches("/ledger/v1/nodes"));
  EXPECT_TRUE(LedgerApi::matches("/ledger/v1/anything"));
  EXPECT_FALSE(LedgerApi::matches("/ledger/v1"));
  EXPECT_FALSE(LedgerApi::matches("/ledger/v2/nodes"));
  EXPECT_FALSE(LedgerApi::matches("/validate"));
}

TEST_F(LedgerApiTest, MetricsExposeReportsByOutcome) {
  ASSERT_EQ(put(a100Node("gpu-a")).status, 200);
  ASSERT_EQ(put("gpu-a", encodeNodeReport(a100Node("gpu-a")), "gpu-b").status, 403);
  std::string text = apiMetrics_.renderPrometheus();
  EXPECT_NE(text.find("migwarden_ledger_api_reports_total{outcome=\"accepted\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("migwarden_ledger_api_reports_total{outcome=\"forbidden\"} 1"), std::string::npos);
  EXPECT_NE(text.find("migwarden_ledger_api_reports_total{outcome=\"stale\"} 0"), std::string::npos);
}

TEST_F(LedgerApiTest, OnlyAnAcceptedReportStampsItsNodesLastReportTime) {
  ASSERT_EQ(put(a100Node("gpu-a")).status, 200);
  ASSERT_EQ(put("gpu-a", encodeNodeReport(a100Node("gpu-a")), "gpu-b").status, 403);
  std::string text = apiMetrics_.renderPrometheus();
  EXPECT_NE(text.find("migwarden_ledger_node_last_report_timestamp_seconds{node=\"gpu-a\"} 1"), std::string::npos)
      << text;  // a Unix time in seconds: 10 digits starting with 1 until 2033
  EXPECT_EQ(text.find("node=\"gpu-b\""), std::string::npos) << "a refused report must not look like a live agent";
}

}  // namespace
}  // namespace migwarden::ledger::testutil
