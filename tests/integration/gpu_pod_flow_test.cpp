// The flow of a GPU pod through the real webhook, as DESIGN.md describes it: the node
// agent reports its MIG inventory, the pod is mutated and validated (its needs recorded
// as pending), the scheduler's binding reserves slices in the ledger, and a binding that
// would over-allocate is denied with the numbers.
#include <nlohmann/json.hpp>

#include <atomic>
#include <csignal>
#include <map>
#include <sstream>
#include <thread>

#include "tests/support/blackbox/reviews.h"
#include "tests/support/blackbox/webhook_test_base.h"
#include "webhook/common/crypto.h"

namespace migwarden::testing {
namespace {

using nlohmann::json;

class GpuPodFlow : public WebhookTest {
 protected:
  void SetUp() override {
    WebhookTest::SetUp();
    writeFile(dir_.file("agent.key"), "an-hs256-key-for-tests-that-is-long-enough-0123456789\n");
    startWebhook({"--agent-hs256-key", dir_.file("agent.key"), "--audit-log", auditLogPath()});
  }
  std::string auditLogPath() const { return dir_.file("audit/audit.log"); }

  void reportNodeGpuA() { reportNode(json::parse(readFixture("ledger/node-report-gpu-a.json"))); }
  void reportNode(const json& report) {
    const std::string token = mintAgentToken("gpu-a", dir_.file("agent.key"));
    ASSERT_FALSE(token.empty());
    auto reply = connectTls()->request("PUT", "/ledger/v1/nodes/gpu-a", report.dump(),
                                       "application/json", {{"Authorization", "Bearer " + token}});
    ASSERT_TRUE(reply);
    ASSERT_EQ(reply->status, 200) << reply->body;
  }

  // The sample GPU pod, asking for `count` nvidia.com/mig-1g.5gb (A100-40GB slices).
  static json podReview(const std::string& podUid, const std::string& name, int count) {
    return gpuPodReview(podUid, name, "nvidia.com/mig-1g.5gb", count);
  }
  static json deleteReview(const std::string& podUid, const std::string& name) {
    json review = podReview(podUid, name, 1);
    review["request"]["operation"] = "DELETE";
    review["request"]["uid"] = "delete-" + podUid;
    review["request"]["oldObject"] = review["request"]["object"];
    review["request"]["object"] = nullptr;
    return review;
  }
  json respond(const std::string& path, const json& review) {
    HttpReply reply = post(path, review.dump());
    EXPECT_EQ(reply.status, 200) << reply.body;
    json body = json::parse(reply.body, nullptr, false);
    return body.is_discarded() ? json::object() : body["response"];
  }
};

TEST_F(GpuPodFlow, MutationPatchAppliesToThePodAndASecondPassChangesNothing) {
  json review = podReview("pod-1", "train-1", 1);
  json response = respond("/mutate", review);
  ASSERT_EQ(response["allowed"], true);
  ASSERT_EQ(response.value("patchType", ""), "JSONPatch") << response.dump();
  std::string patchText = crypto::base64Decode(response["patch"].get<std::string>()).value();
  json patched = review["request"]["object"].patch(json::parse(patchText));  // throws if it does not apply

  review["request"]["object"] = patched;
  review["request"]["uid"] = "second-pass";
  json again = respond("/mutate", review);
  EXPECT_EQ(again["allowed"], true);
  EXPECT_FALSE(again.contains("patch")) << "not idempotent: " << crypto::base64Decode(again.value("patch", "")).value_or("");
}

TEST_F(GpuPodFlow, AnUnknownMigProfileIsDeniedNamingTheContainer) {
  json review = podReview("pod-1", "train-1", 1);
  review["request"]["object"]["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/mig-5g.99gb"] = 1;
  json response = respond("/validate", review);
  EXPECT_EQ(response["allowed"], false);
  std::string message = response["status"].value("message", "");
  EXPECT_NE(message.find("\"train\""), std::string::npos) << message;
  EXPECT_NE(message.find("nvidia.com/mig-5g.99gb"), std::string::npos) << message;
}

TEST_F(GpuPodFlow, BindingsReserveSlicesUntilTheNodeIsFullThenDenyWithTheNumbers) {
  reportNodeGpuA();  // one free 1g.5gb slice: two exist, one is bound to ml/train-0
  ASSERT_EQ(respond("/validate", podReview("pod-1", "train-1", 1))["allowed"], true);
  ASSERT_EQ(respond("/validate", podReview("pod-2", "train-2", 1))["allowed"], true);

  json first = respond("/validate", bindingReview("pod-1", "train-1", "gpu-a"));
  EXPECT_EQ(first["allowed"], true) << first.dump();
  json retry = respond("/validate", bindingReview("pod-1", "train-1", "gpu-a"));
  EXPECT_EQ(retry["allowed"], true) << "a retried binding gets the same answer";

  json second = respond("/validate", bindingReview("pod-2", "train-2", "gpu-a"));
  EXPECT_EQ(second["allowed"], false);
  std::string message = second["status"].value("message", "");
  EXPECT_NE(message.find("gpu-a"), std::string::npos) << message;
  EXPECT_NE(message.find("nvidia.com/mig-1g.5gb"), std::string::npos) << message;
}

TEST_F(GpuPodFlow, ADryRunBindingReservesNothing) {
  reportNodeGpuA();
  ASSERT_EQ(respond("/validate", podReview("pod-1", "train-1", 1))["allowed"], true);
  ASSERT_EQ(respond("/validate", podReview("pod-2", "train-2", 1))["allowed"], true);
  json dry = bindingReview("pod-1", "train-1", "gpu-a");
  dry["request"]["dryRun"] = true;
  EXPECT_EQ(respond("/validate", dry)["allowed"], true);
  EXPECT_EQ(respond("/validate", bindingReview("pod-2", "train-2", "gpu-a"))["allowed"], true)
      << "the dry run must not have taken the last slice";
}

TEST_F(GpuPodFlow, AFullLifecycleFreesTheSliceOnlyWhenTheAgentStopsReportingThePod) {
  json report = json::parse(readFixture("ledger/node-report-gpu-a.json"));
  reportNode(report);
  ASSERT_EQ(respond("/validate", podReview("pod-1", "train-1", 1))["allowed"], true);
  ASSERT_EQ(respond("/validate", podReview("pod-2", "train-2", 1))["allowed"], true);
  ASSERT_EQ(respond("/validate", bindingReview("pod-1", "train-1", "gpu-a"))["allowed"], true);

  // The kubelet gave pod-1 the free slice; the agent reports it bound.
  report["sequence"] = 8;
  report["allocations"].push_back({{"podUid", "pod-1"}, {"namespace", "ml"}, {"pod", "train-1"},
                                   {"container", "train"}, {"resource", "nvidia.com/mig-1g.5gb"},
                                   {"deviceIds", {"MIG-0c6a3e8f-1b2d-5f4a-8e9c-7d1a2b3c4d02"}}});
  reportNode(report);
  EXPECT_EQ(respond("/validate", bindingReview("pod-2", "train-2", "gpu-a"))["allowed"], false);

  // Deleting the pod does not free the device while its containers may still run...
  EXPECT_EQ(respond("/validate", deleteReview("pod-1", "train-1"))["allowed"], true);
  EXPECT_EQ(respond("/validate", bindingReview("pod-2", "train-2", "gpu-a"))["allowed"], false);
  // ...the agent no longer seeing it does.
  report["sequence"] = 9;
  report["allocations"].erase(report["allocations"].size() - 1);
  reportNode(report);
  json pod2 = respond("/validate", bindingReview("pod-2", "train-2", "gpu-a"));
  EXPECT_EQ(pod2["allowed"], true) << pod2.dump();
}

// Security teams see ledger changes next to the decisions that caused them: the node
// report (accepted or refused, with the token subject), the reservation made at binding,
// the agent confirming it (bind) and the release when the agent stops reporting the pod.
TEST_F(GpuPodFlow, EveryLedgerChangeLandsInTheAuditLogAndTheChainStillVerifies) {
  json report = json::parse(readFixture("ledger/node-report-gpu-a.json"));
  reportNode(report);
  auto refused = connectTls()->request("PUT", "/ledger/v1/nodes/gpu-a", report.dump(), "application/json",
                                       {{"Authorization", "Bearer not-a-jwt"}});
  ASSERT_TRUE(refused);
  ASSERT_EQ(refused->status, 401);
  ASSERT_EQ(respond("/validate", podReview("pod-1", "train-1", 1))["allowed"], true);
  ASSERT_EQ(respond("/validate", bindingReview("pod-1", "train-1", "gpu-a"))["allowed"], true);
  report["sequence"] = 8;
  report["allocations"].push_back({{"podUid", "pod-1"}, {"namespace", "ml"}, {"pod", "train-1"},
                                   {"container", "train"}, {"resource", "nvidia.com/mig-1g.5gb"},
                                   {"deviceIds", {"MIG-0c6a3e8f-1b2d-5f4a-8e9c-7d1a2b3c4d02"}}});
  reportNode(report);
  report["sequence"] = 9;
  report["allocations"].erase(report["allocations"].size() - 1);
  reportNode(report);
  webhook_->sendSignal(SIGTERM);
  ASSERT_EQ(webhook_->waitForExit(), 0) << webhook_->output();

  std::map<std::string, json> byEvent;
  std::istringstream lines(readFile(auditLogPath()));
  for (std::string line; std::getline(lines, line);) {
    json record = json::parse(line);
    if (record.contains("event")) byEvent.emplace(record["event"].get<std::string>(), record);
  }
  ASSERT_EQ(byEvent.count("report-accepted"), 1u) << readFile(auditLogPath());
  EXPECT_EQ(byEvent["report-accepted"].value("node", ""), "gpu-a");
  EXPECT_EQ(byEvent["report-refused"].value("decision", ""), "denied");
  EXPECT_EQ(byEvent["reservation"].value("podUid", ""), "pod-1");
  EXPECT_EQ(byEvent["reservation"].value("node", ""), "gpu-a");
  EXPECT_EQ(byEvent["bind"].value("podUid", ""), "pod-1");
  EXPECT_NE(byEvent["bind"].dump().find("MIG-0c6a3e8f-1b2d-5f4a-8e9c-7d1a2b3c4d02"), std::string::npos);
  EXPECT_EQ(byEvent.count("release"), 1u);
  ProcessResult verify = runToCompletion({builtBinary("migwardenctl"), "audit", "verify", auditLogPath()});
  EXPECT_EQ(verify.exitCode, 0) << verify.output;
}

TEST_F(GpuPodFlow, ParallelBindingsForTheLastSliceReserveItExactlyOnce) {
  reportNodeGpuA();  // one free nvidia.com/mig-1g.5gb
  constexpr int kPods = 8;
  for (int i = 0; i < kPods; ++i)
    ASSERT_EQ(respond("/validate", podReview("pod-" + std::to_string(i), "train-" + std::to_string(i), 1))["allowed"],
              true);
  std::atomic<int> allowed{0}, denied{0};
  std::vector<std::thread> schedulers;
  for (int i = 0; i < kPods; ++i) {
    schedulers.emplace_back([&, i] {
      std::string error;
      auto client = HttpClient::connectTls(webhook_->tlsPort(), tlsOptions(), &error);
      if (!client) return;
      auto reply = client->request(
          "POST", "/validate", bindingReview("pod-" + std::to_string(i), "train-" + std::to_string(i), "gpu-a").dump());
      if (!reply || reply->status != 200) return;
      (json::parse(reply->body)["response"]["allowed"] == true ? allowed : denied)++;
    });
  }
  for (auto& t : schedulers) t.join();
  EXPECT_EQ(allowed.load(), 1);
  EXPECT_EQ(denied.load(), kPods - 1);
}

}  // namespace
}  // namespace migwarden::testing
