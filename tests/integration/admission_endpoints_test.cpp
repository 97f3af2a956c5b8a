// What kube-apiserver sees when it calls /mutate and /validate over TLS.
#include <nlohmann/json.hpp>

#include <atomic>
#include <thread>

#include "tests/support/blackbox/webhook_test_base.h"
#include "webhook/common/crypto.h"

namespace migwarden::testing {
namespace {

using nlohmann::json;

class AdmissionEndpoints : public WebhookTest {
 protected:
  void SetUp() override {
    WebhookTest::SetUp();
    startWebhook();
  }
};

TEST_F(AdmissionEndpoints, ValidateAnswersAV1ReviewWithTheRequestUid) {
  // As the validating webhook sees a CREATE: name generated, uid assigned.
  std::string body = admissionFixture("gpu-pod-create-validate.json");
  HttpReply reply = post("/validate", body);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(reply.header("content-type").rfind("application/json", 0), 0u);
  json review = json::parse(reply.body);
  EXPECT_EQ(review["apiVersion"], "admission.k8s.io/v1");
  EXPECT_EQ(review["kind"], "AdmissionReview");
  EXPECT_EQ(review["response"]["uid"], json::parse(body)["request"]["uid"]);
  EXPECT_EQ(review["response"]["allowed"], true);
  EXPECT_FALSE(review["response"].contains("patch")) << "validating answers never carry a patch";
}

TEST_F(AdmissionEndpoints, AV1beta1ReviewIsAnsweredInV1beta1) {
  std::string body = admissionFixture("gpu-pod-create-v1beta1.json");
  HttpReply reply = post("/validate", body);
  ASSERT_EQ(reply.status, 200) << reply.body;
  json review = json::parse(reply.body);
  EXPECT_EQ(review["apiVersion"], "admission.k8s.io/v1beta1");
  EXPECT_EQ(review["response"]["uid"], json::parse(body)["request"]["uid"]);
}

TEST_F(AdmissionEndpoints, MutateAnswersWithABase64JsonPatchThatApplies) {
  std::string body = admissionFixture("gpu-pod-create.json");
  HttpReply reply = post("/mutate", body);
  ASSERT_EQ(reply.status, 200) << reply.body;
  json response = json::parse(reply.body)["response"];
  EXPECT_EQ(response["allowed"], true);
  ASSERT_EQ(response.value("patchType", ""), "JSONPatch");
  auto patch = crypto::base64Decode(response["patch"].get<std::string>());
  ASSERT_TRUE(patch.has_value());
  EXPECT_NO_THROW(json::parse(body)["request"]["object"].patch(json::parse(*patch)));
}

TEST_F(AdmissionEndpoints, ANonGpuPodGetsNvidiaVisibleDevicesVoidSoNoGpuLeaksIntoIt) {
  std::string body = admissionFixture("non-gpu-pod-create.json");
  HttpReply reply = post("/mutate", body);
  ASSERT_EQ(reply.status, 200) << reply.body;
  json response = json::parse(reply.body)["response"];
  EXPECT_EQ(response["allowed"], true);
  ASSERT_TRUE(response.contains("patch")) << response.dump();
  json pod = json::parse(body)["request"]["object"].patch(json::parse(*crypto::base64Decode(response["patch"].get<std::string>())));
  for (const auto& container : pod["spec"]["containers"]) {
    bool voided = false;
    for (const auto& env : container.value("env", json::array()))
      voided |= env.value("name", "") == "NVIDIA_VISIBLE_DEVICES" && env.value("value", "") == "void";
    EXPECT_TRUE(voided) << container.dump();
  }
}

TEST_F(AdmissionEndpoints, APodsBindingReviewIsAnswered) {
  std::string body = admissionFixture("binding-create.json");
  HttpReply reply = post("/validate", body);
  ASSERT_EQ(reply.status, 200) << reply.body;
  EXPECT_EQ(json::parse(reply.body)["response"]["uid"], json::parse(body)["request"]["uid"]);
}

TEST_F(AdmissionEndpoints, OneKeepAliveConnectionServesManyReviewsWithOneHandshake) {
  auto client = connectTls();
  ASSERT_NE(client, nullptr);
  std::string body = admissionFixture("gpu-pod-create.json");
  for (int i = 0; i < 200; ++i) {
    auto reply = client->request("POST", i % 2 ? "/mutate" : "/validate", body);
    ASSERT_TRUE(reply.has_value()) << "connection dropped after " << i << " requests";
    ASSERT_EQ(reply->status, 200);
    EXPECT_NE(reply->header("connection"), "close");
  }
  EXPECT_NE(metrics().find("migwarden_tls_handshakes_total 1\n"), std::string::npos) << metrics();
}

TEST_F(AdmissionEndpoints, ConcurrentConnectionsAreAllAnswered) {
  std::string body = admissionFixture("gpu-pod-create.json");
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&] {
      std::string error;
      auto client = HttpClient::connectTls(webhook_->tlsPort(), tlsOptions(), &error);
      if (!client) return;
      for (int i = 0; i < 25; ++i) {
        auto reply = client->request("POST", "/validate", body);
        if (reply && reply->status == 200) ++ok;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 8 * 25);
}

}  // namespace
}  // namespace migwarden::testing
