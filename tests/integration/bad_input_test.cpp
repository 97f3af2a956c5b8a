// Bad input always gets a clear answer, and the server keeps serving after it.
#include <nlohmann/json.hpp>

#include "tests/support/blackbox/webhook_test_base.h"

namespace migwarden::testing {
namespace {

using nlohmann::json;

class BadInput : public WebhookTest {
 protected:
  void SetUp() override {
    WebhookTest::SetUp();
    startWebhook({"--max-body-bytes", "65536", "--header-timeout", "1s"});
  }
  // The server still answers a good review on a new connection.
  void expectStillServing() {
    HttpReply reply = post("/validate", admissionFixture("gpu-pod-create.json"));
    EXPECT_EQ(reply.status, 200) << "server stopped serving; output:\n" << webhook_->output();
  }
  static std::string errorMessage(const HttpReply& reply) {
    auto body = json::parse(reply.body, nullptr, false);
    if (body.is_discarded() || !body.contains("error")) return "<not a JSON error body: " + reply.body + ">";
    return body["error"].value("message", "");
  }
};

TEST_F(BadInput, AnUnknownPathIs404WithAJsonError) {
  HttpReply reply = post("/admit", admissionFixture("gpu-pod-create.json"));
  EXPECT_EQ(reply.status, 404);
  EXPECT_EQ(json::parse(reply.body)["error"]["code"], 404);
}

TEST_F(BadInput, GetOnValidateIs405NamingTheAllowedMethod) {
  auto client = connectTls();
  auto reply = client->request("GET", "/validate");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 405);
  EXPECT_EQ(reply->header("allow"), "POST");
}

TEST_F(BadInput, ANonJsonContentTypeIs415) {
  auto client = connectTls();
  auto reply = client->request("POST", "/validate", admissionFixture("gpu-pod-create.json"), "application/yaml");
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->status, 415);
}

TEST_F(BadInput, MalformedJsonIs400NamingWhereItBroke) {
  HttpReply reply = post("/validate", R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","request":{)");
  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(errorMessage(reply).find("offset"), std::string::npos) << reply.body;
}

TEST_F(BadInput, AReviewWithoutRequestIs400NamingRequest) {
  HttpReply reply = post("/validate", R"({"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview"})");
  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(errorMessage(reply).find("request"), std::string::npos) << reply.body;
}

TEST_F(BadInput, AReviewWithoutUidIs400NamingUid) {
  HttpReply reply = post("/validate", admissionFixture("missing-uid.json"));
  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(errorMessage(reply).find("uid"), std::string::npos) << reply.body;
}

TEST_F(BadInput, AnUnknownApiVersionIs400NamingIt) {
  HttpReply reply = post("/validate", admissionFixture("unknown-api-version.json"));
  EXPECT_EQ(reply.status, 400);
  EXPECT_NE(errorMessage(reply).find("apiVersion"), std::string::npos) << reply.body;
}

TEST_F(BadInput, ABodyOverTheLimitIs413AndTheServerKeepsServing) {
  std::string huge = "{\"pad\":\"" + std::string(100 * 1024, 'x') + "\"}";
  auto client = connectTls();
  auto reply = client->request("POST", "/validate", huge);
  // The server may answer 413 before reading everything and close; both are fine as
  // long as an answer came or the connection was closed, and it still serves others.
  if (reply) {
    EXPECT_EQ(reply->status, 413);
  }
  expectStillServing();
}

TEST_F(BadInput, PlainHttpOnTheTlsPortIsRefusedAndTheServerKeepsServing) {
  auto plain = HttpClient::connectPlain(webhook_->tlsPort());
  ASSERT_NE(plain, nullptr);
  plain->sendRaw("POST /validate HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}");
  EXPECT_TRUE(plain->waitForClose(std::chrono::seconds(30)));
  expectStillServing();
}

TEST_F(BadInput, ASlowlorisHeaderIsCutOffByTheHeaderDeadline) {
  auto client = connectTls();
  ASSERT_TRUE(client->sendRaw("POST /validate HTTP/1.1\r\nHost: x\r\n"));  // never finishes
  EXPECT_TRUE(client->waitForClose(std::chrono::seconds(30))) << "header deadline did not close the connection";
  expectStillServing();
}

TEST_F(BadInput, GarbageAfterTheHandshakeIs400AndTheServerKeepsServing) {
  auto client = connectTls();
  client->sendRaw("\x01\x02 not http at all\r\n\r\n");
  auto reply = client->readReply();
  if (reply) {
    EXPECT_EQ(reply->status / 100, 4);
  }
  expectStillServing();
}

}  // namespace
}  // namespace migwarden::testing
