// PUT /ledger/v1/nodes/{node}: every answer an agent can get.
#include <sstream>

#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include "tests/ledger_api/ledger_api_fixture.h"

namespace migwarden::ledger::testutil {
namespace {

std::string messageOf(const HttpResponse& r) { return nlohmann::json::parse(r.body)["error"]["message"]; }

TEST_F(LedgerApiTest, ValidReportWithTheNodesOwnTokenIsAcceptedAndDescribed) {
  HttpResponse r = put(a100Node("gpu-a", 1, 7, 3));
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.contentType, "application/json");
  auto body = bodyOf(r);
  EXPECT_EQ(body["accepted"], true);
  EXPECT_EQ(body["node"], "gpu-a");
  EXPECT_EQ(body["sequence"], 3);
  EXPECT_EQ(body["newBoot"], true);
  EXPECT_TRUE(body["conflicts"].empty());
  EXPECT_EQ(fixture_.store().freeSlices("gpu-a", kMig1g), 7);
  EXPECT_EQ(reports("accepted"), 1u);
}

TEST_F(LedgerApiTest, ConflictsInAnAcceptedReportAreListedInTheAnswer) {
  NodeReport report = a100Node("gpu-a");
  allocate(report, "uid-1", "train-1", kMig1g, {migUuid("gpu-a", 0, 0)});
  allocate(report, "uid-2", "train-2", kMig1g, {migUuid("gpu-a", 0, 0)});
  HttpResponse r = put(report);
  ASSERT_EQ(r.status, 200) << r.body;
  auto body = bodyOf(r);
  ASSERT_EQ(body["conflicts"].size(), 1u);
  EXPECT_EQ(body["conflicts"][0]["kind"], "device_in_two_pods");
  EXPECT_EQ(body["newConflicts"], 1);
}

TEST_F(LedgerApiTest, MissingAuthorizationIs401WithABearerChallenge) {
  HttpResponse r = api_->handle(request("PUT", "/ledger/v1/nodes/gpu-a", "", encodeNodeReport(a100Node("gpu-a"))));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(header(r, "WWW-Authenticate"), "Bearer realm=\"migwarden\"");
  EXPECT_EQ(bodyOf(r)["error"]["reason"], "Unauthorized");
  EXPECT_FALSE(fixture_.store().node("gpu-a").has_value());
  EXPECT_EQ(reports("unauthenticated"), 1u);
}

TEST_F(LedgerApiTest, NonBearerSchemeIs401) {
  HttpRequest req = request("PUT", "/ledger/v1/nodes/gpu-a", "", encodeNodeReport(a100Node("gpu-a")));
  req.headers.emplace_back("authorization", "Basic dXNlcjpwYXNz");
  EXPECT_EQ(api_->handle(req).status, 401);
}

TEST_F(LedgerApiTest, TamperedTokenIs401InvalidTokenAndTheMessageNeverEchoesIt) {
  std::string token = tokenFor("gpu-a");
  // Flip one character of the signature.
  token.back() = token.back() == 'A' ? 'B' : 'A';
  HttpResponse r = api_->handle(request("PUT", "/ledger/v1/nodes/gpu-a", token, encodeNodeReport(a100Node("gpu-a"))));
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(header(r, "WWW-Authenticate"), "Bearer realm=\"migwarden\", error=\"invalid_token\"");
  EXPECT_EQ(r.body.find(token.substr(token.rfind('.') + 1)), std::string::npos);
  EXPECT_FALSE(fixture_.store().node("gpu-a").has_value());
}

TEST_F(LedgerApiTest, TokenSignedWithAnotherKeyIs401) {
  std::string token = tokenFor("gpu-a", "another-key-that-is-long-enough-0123456789");
  HttpResponse r = api_->handle(request("PUT", "/ledger/v1/nodes/gpu-a", token, encodeNodeReport(a100Node("gpu-a"))));
  EXPECT_EQ(r.status, 401);
}

TEST_F(LedgerApiTest, ExpiredTokenIs401) {
  std::string token = tokenFor("gpu-a");  // one hour
  fixture_.clock().advance(std::chrono::hours(2));
  HttpResponse r = api_->handle(request("PUT", "/ledger/v1/nodes/gpu-a", token, encodeNodeReport(a100Node("gpu-a"))));
  EXPECT_EQ(r.status, 401);
}

TEST_F(LedgerApiTest, TokenForAnotherNodeIs403AndChangesNothing) {
  HttpResponse r = put("gpu-a", encodeNodeReport(a100Node("gpu-a")), "gpu-b");
  EXPECT_EQ(r.status, 403);
  EXPECT_EQ(bodyOf(r)["error"]["reason"], "Forbidden");
  EXPECT_FALSE(fixture_.store().node("gpu-a").has_value());
  EXPECT_EQ(reports("forbidden"), 1u);
}

TEST_F(LedgerApiTest, NonJsonContentTypeIs415) {
  for (const char* type : {"text/plain", "application/x-www-form-urlencoded", ""}) {
    HttpRequest req = request("PUT", "/ledger/v1/nodes/gpu-a", tokenFor("gpu-a"));
    req.body = encodeNodeReport(a100Node("gpu-a"));
    if (*type != '\0') req.headers.emplace_back("content-type", type);
    EXPECT_EQ(api_->handle(req).status, 415) << "content-type " << type;
  }
  EXPECT_EQ(reports("unsupported_media_type"), 3u);
}

TEST_F(LedgerApiTest, JsonContentTypeWithParametersAndAnyCaseIsAccepted) {
  HttpRequest req = request("PUT", "/ledger/v1/nodes/gpu-a", tokenFor("gpu-a"));
  req.body = encodeNodeReport(a100Node("gpu-a"));
  req.headers.emplace_back("content-type", "Application/JSON; charset=utf-8");
  EXPECT_EQ(api_->handle(req).status, 200);
}

TEST_F(LedgerApiTest, MalformedReportIs400NamingTheField) {
  auto report = nlohmann::json::parse(encodeNodeReport(a100Node("gpu-a")));
  report["gpus"][0]["migDevices"][2]["placement"]["size"] = "one";
  HttpResponse r = put("gpu-a", report.dump(), "gpu-a");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(messageOf(r).find("gpus[0].migDevices[2].placement.size"), std::string::npos) << r.body;
  EXPECT_EQ(reports("bad_request"), 1u);
}

TEST_F(LedgerApiTest, BodyThatIsNotJsonIs400) {
  HttpResponse r = put("gpu-a", "{\"node\": \"gpu-a\",", "gpu-a");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(messageOf(r).find("malformed node report"), std::string::npos);
}

TEST_F(LedgerApiTest, ReportNamingAnotherNodeThanTheUrlIs400) {
  HttpResponse r = put("gpu-a", encodeNodeReport(a100Node("gpu-b")), "gpu-a");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(messageOf(r).rfind("node:", 0), 0u) << r.body;
  EXPECT_FALSE(fixture_.store().node("gpu-b").has_value());
}

TEST_F(LedgerApiTest, LowerSequenceForTheSameBootIs409AndEqualSequenceIsARetry) {
  ASSERT_EQ(put(a100Node("gpu-a", 1, 7, 5)).status, 200);
  HttpResponse stale = put(a100Node("gpu-a", 1, 7, 4));
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(bodyOf(stale)["error"]["reason"], "Conflict");
  EXPECT_EQ(reports("stale"), 1u);
  EXPECT_EQ(put(a100Node("gpu-a", 1, 7, 5)).status, 200);
  // A reboot restarts the sequence.
  EXPECT_EQ(put(a100Node("gpu-a", 1, 7, 1, "boot-2")).status, 200);
}

TEST_F(LedgerApiTest, ReadOnlyLedgerIs503WithAClearMessage) {
  ASSERT_EQ(put(a100Node("gpu-a", 1, 7, 1)).status, 200);
  fixture_.env().failSync = true;
  HttpResponse first = put(a100Node("gpu-a", 1, 7, 2));
  EXPECT_EQ(first.status, 503);
  fixture_.env().failSync = false;  // the latch holds even when the disk comes back
  HttpResponse later = put(a100Node("gpu-a", 1, 7, 3));
  EXPECT_EQ(later.status, 503);
  EXPECT_NE(messageOf(later).find("read-only"), std::string::npos) << later.body;
  EXPECT_EQ(reports("read_only"), 2u);
}

TEST_F(LedgerApiTest, InvalidNodeNameInTheUrlIs400BeforeAnythingElse) {
  HttpResponse r = put("GPU_A", encodeNodeReport(a100Node("GPU_A")), "gpu-a");
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(messageOf(r).find("DNS-1123"), std::string::npos);
}

// Captures the default spdlog logger for one test.
class LogCapture {
 public:
  LogCapture() : previous_(spdlog::default_logger()) {
    auto logger = std::make_shared<spdlog::logger>("capture", std::make_shared<spdlog::sinks::ostream_sink_mt>(out_));
    logger->set_level(spdlog::level::trace);
    spdlog::set_default_logger(logger);
  }
  ~LogCapture() { spdlog::set_default_logger(previous_); }
  std::string text() const { return out_.str(); }

 private:
  std::ostringstream out_;
  std::shared_ptr<spdlog::logger> previous_;
};

TEST_F(LedgerApiTest, ReportsAreLoggedWithNodeAndSequenceButNeverTheToken) {
  LogCapture log;
  const std::string good = tokenFor("gpu-a");
  const std::string other = tokenFor("gpu-b");
  std::string tampered = good;
  tampered.back() = tampered.back() == 'A' ? 'B' : 'A';
  const std::string body = encodeNodeReport(a100Node("gpu-a", 1, 7, 42));
  EXPECT_EQ(api_->handle(request("PUT", "/ledger/v1/nodes/gpu-a", good, body)).status, 200);
  EXPECT_EQ(api_->handle(request("PUT", "/ledger/v1/nodes/gpu-a", other, body)).status, 403);
  EXPECT_EQ(api_->handle(request("PUT", "/ledger/v1/nodes/gpu-a", tampered, body)).status, 401);

  const std::string text = log.text();
  EXPECT_NE(text.find("accepted report from node gpu-a"), std::string::npos) << text;
  EXPECT_NE(text.find("sequence 42"), std::string::npos) << text;
  EXPECT_NE(text.find("refused report for node gpu-a: HTTP 403"), std::string::npos) << text;
  for (const std::string& token : {good, other, tampered}) {
    // Neither the whole token nor its signature segment may appear anywhere.
    EXPECT_EQ(text.find(token), std::string::npos);
    EXPECT_EQ(text.find(token.substr(token.rfind('.') + 1)), std::string::npos);
  }
}

}  // namespace
}  // namespace migwarden::ledger::testutil
