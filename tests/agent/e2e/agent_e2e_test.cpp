// migwarden-agent end to end, with real processes: the webhook (ledger + HS256 agent
// tokens), a token from `migwardenctl token`, and the agent reading a fake
// libnvidia-ml.so.1 (dlopen, like production) and a real gRPC pod-resources server on a
// unix socket. What the agent reports must show up in the ledger and drive admission:
// a pod in pod-resources turns its reservation into a bound allocation, a pod that
// disappears frees its slices, and an XID makes a slice unhealthy so a binding that needs
// it is denied. No sleeps: every wait is bounded and wakes on the agent's output.
#include <signal.h>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <functional>

#include "tests/agent/e2e/agent_process.h"
#include "tests/agent/support/fake_kubelet.h"
#include "tests/support/blackbox/reviews.h"
#include "tests/support/blackbox/webhook_test_base.h"

namespace migwarden::testing {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr const char* kMig1gA = "MIG-e2e-1g-a";
constexpr const char* kMig1gB = "MIG-e2e-1g-b";
constexpr const char* kMig3g = "MIG-e2e-3g";

// One A100-40GB: two 1g.5gb slices and one 3g.20gb, plus optional XID events.
json nvmlConfig(const json& events = json::array()) {
  json config = json::parse(R"({
    "driverVersion": "550.54.15", "cudaDriverVersion": 12040,
    "gpus": [{
      "uuid": "GPU-e2e-0", "name": "NVIDIA A100-SXM4-40GB", "pciDeviceId": "0x20B010DE",
      "computeCapability": "8.0", "memoryMiB": 40960,
      "migMode": {"current": "enabled", "pending": "enabled"}, "maxMigDevices": 7,
      "giProfiles": [{"profile": 0, "id": 19, "sliceCount": 1, "memorySizeMB": 4864},
                     {"profile": 2, "id": 9, "sliceCount": 3, "memorySizeMB": 19968}],
      "ciProfiles": [{"profile": 0, "id": 0, "sliceCount": 1}, {"profile": 2, "id": 2, "sliceCount": 3}],
      "migDevices": [
        {"uuid": "MIG-e2e-1g-a", "gi": 7, "ci": 0, "giProfileId": 19, "ciProfileId": 0, "placement": {"start": 0, "size": 1}},
        {"uuid": "MIG-e2e-1g-b", "gi": 8, "ci": 0, "giProfileId": 19, "ciProfileId": 0, "placement": {"start": 1, "size": 1}},
        {"uuid": "MIG-e2e-3g", "gi": 2, "ci": 0, "giProfileId": 9, "ciProfileId": 2, "placement": {"start": 4, "size": 4}}
      ]}]})");
  config["events"] = events;
  return config;
}

class AgentEndToEnd : public WebhookTest {
 protected:
  void SetUp() override {
    WebhookTest::SetUp();
    writeFile(dir_.file("agent.key"), "an-hs256-key-for-agent-e2e-tests-long-enough-0123456789\n");
    writeFile(dir_.file("boot_id"), "6b1f7d52-0d7e-4a3c-9d1e-2c7a5e9b3f10\n");
    writeNvmlConfig(nvmlConfig());
    token_ = mintAgentToken("gpu-a", dir_.file("agent.key"));
    ASSERT_FALSE(token_.empty());
    writeFile(dir_.file("token"), token_ + "\n");
    kubelet_ = std::make_unique<FakeKubelet>(dir_.file("kubelet.sock"));
    ASSERT_TRUE(kubelet_->start().ok());
    startWebhook({"--agent-hs256-key", dir_.file("agent.key")});
  }

  void writeNvmlConfig(const json& config) {
    // Replace atomically: the fake re-reads the file when it changes.
    writeFile(dir_.file("nvml.json.tmp"), config.dump(2));
    ASSERT_EQ(std::rename(dir_.file("nvml.json.tmp").c_str(), dir_.file("nvml.json").c_str()), 0);
  }
  EnvVars agentEnv() const { return {{"MIGWARDEN_FAKE_NVML_CONFIG", dir_.file("nvml.json")}}; }
  std::vector<std::string> agentArgs() const {
    return {"--server", "https://localhost:" + std::to_string(webhook_->tlsPort()), "--ca-file", pki_.caPath,
            "--token-file", dir_.file("token"), "--node-name", "gpu-a", "--health-listen", "127.0.0.1:0",
            "--nvml-lib", FAKE_NVML, "--pod-resources-socket", kubelet_->socketPath(), "--kubelet-checkpoint", "",
            "--boot-id-file", dir_.file("boot_id"), "--mig-config-state", "success", "--interval", "1s",
            "--poll-interval", "100ms"};
  }
  void startAgent() {
    agent_ = std::make_unique<AgentProcess>(agentArgs(), agentEnv());
    agentHealthPort_ = agent_->waitForHealthPort();
    ASSERT_NE(agentHealthPort_, 0) << agent_->output();
  }

  json ledgerNodes() {
    auto client = connectTls();
    if (!client) return json::object();
    auto reply = client->request("GET", "/ledger/v1/nodes", "", "application/json",
                                 {{"Authorization", "Bearer " + token_}});
    if (!reply || reply->status != 200) return json::object();
    return json::parse(reply->body, nullptr, false);
  }
  static const json* node(const json& view, const std::string& name) {
    if (!view.contains("nodes")) return nullptr;
    for (const json& n : view["nodes"])
      if (n.value("name", "") == name) return &n;
    return nullptr;
  }
  static json resource(const json& view, const std::string& res) {
    const json* n = node(view, "gpu-a");
    if (n == nullptr) return json::object();
    for (const json& r : (*n)["resources"])
      if (r.value("resource", "") == res) return r;
    return json::object();
  }
  // Polls the ledger until `done(view)`, waking whenever the agent logs something
  // (it logs every accepted report that changed), for at most 30s.
  json waitForLedger(const std::function<bool(const json&)>& done, const std::string& what) {
    const auto deadline = std::chrono::steady_clock::now() + seconds(30);
    json view;
    while (std::chrono::steady_clock::now() < deadline) {
      const size_t seen = agent_->outputSize();
      view = ledgerNodes();
      if (done(view)) return view;
      agent_->waitForOutputBeyond(seen, milliseconds(500));
    }
    ADD_FAILURE() << "timed out waiting for " << what << "\nledger: " << view.dump(2) << "\nagent:\n"
                  << agent_->output();
    return view;
  }

  std::string agentHealth(const std::string& path, int* status = nullptr) {
    auto client = HttpClient::connectPlain(agentHealthPort_);
    auto reply = client ? client->request("GET", path) : std::nullopt;
    if (status) *status = reply ? reply->status : 0;
    return reply ? reply->body : std::string();
  }

  // AdmissionReviews (tests/support/blackbox/reviews.h); the agent's node is gpu-a.
  static json podReview(const std::string& podUid, const std::string& name, const std::string& resource) {
    return gpuPodReview(podUid, name, resource);
  }
  static json bindingReview(const std::string& podUid, const std::string& name) {
    return testing::bindingReview(podUid, name, "gpu-a");
  }
  json validate(const json& review) {
    HttpReply reply = post("/validate", review.dump());
    EXPECT_EQ(reply.status, 200) << reply.body;
    json body = json::parse(reply.body, nullptr, false);
    return body.is_discarded() ? json::object() : body["response"];
  }

  std::string token_;
  std::unique_ptr<FakeKubelet> kubelet_;
  std::unique_ptr<AgentProcess> agent_;
  int agentHealthPort_ = 0;
};

TEST_F(AgentEndToEnd, TheAgentsReportAppearsInTheLedgerAndInMigwardenctl) {
  startAgent();
  json view = waitForLedger([](const json& v) { return resource(v, "nvidia.com/mig-1g.5gb").value("total", 0) == 2; },
                            "gpu-a's inventory");
  EXPECT_EQ(resource(view, "nvidia.com/mig-3g.20gb").value("healthy", 0), 1) << view.dump(2);
  EXPECT_EQ((*node(view, "gpu-a"))["bootId"], "6b1f7d52-0d7e-4a3c-9d1e-2c7a5e9b3f10");
  EXPECT_EQ((*node(view, "gpu-a"))["driverVersion"], "550.54.15");

  ProcessResult show = runToCompletion({builtBinary("migwardenctl"), "ledger", "show", "--server",
                                        "https://localhost:" + std::to_string(webhook_->tlsPort()), "--token-file",
                                        dir_.file("token"), "--cacert", pki_.caPath});
  EXPECT_EQ(show.exitCode, 0) << show.output;
  EXPECT_NE(show.output.find("gpu-a"), std::string::npos) << show.output;
  EXPECT_NE(show.output.find("nvidia.com/mig-1g.5gb"), std::string::npos) << show.output;

  int status = 0;
  agentHealth("/readyz", &status);
  EXPECT_EQ(status, 200) << agentHealth("/readyz");
  const std::string metrics = agentHealth("/metrics");
  EXPECT_NE(metrics.find("migwarden_agent_gpus 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("migwarden_agent_mig_devices 3"), std::string::npos) << metrics;
  EXPECT_EQ(metrics.find("migwarden_agent_reports_sent_total 0"), std::string::npos) << metrics;
  EXPECT_EQ(agent_->output().find(token_), std::string::npos) << "the token must never be logged";

  agent_->sendSignal(SIGTERM);
  EXPECT_EQ(agent_->waitForExit(), 0) << agent_->output();
}

TEST_F(AgentEndToEnd, APodInPodResourcesTurnsItsReservationIntoABoundAllocationAndLeavingFreesIt) {
  startAgent();
  waitForLedger([](const json& v) { return resource(v, "nvidia.com/mig-1g.5gb").value("total", 0) == 2; },
                "gpu-a's inventory");
  ASSERT_EQ(validate(podReview("uid-train-1", "train-1", "nvidia.com/mig-1g.5gb"))["allowed"], true);
  json bind = validate(bindingReview("uid-train-1", "train-1"));
  ASSERT_EQ(bind["allowed"], true) << bind.dump();
  json view = ledgerNodes();
  EXPECT_EQ(resource(view, "nvidia.com/mig-1g.5gb").value("reserved", 0), 1) << view.dump(2);

  // The kubelet starts the pod with one of the slices.
  kubelet_->setPods({{"ml", "train-1", {{"train", {{"nvidia.com/mig-1g.5gb", {kMig1gA}, {}}}}}}});
  view = waitForLedger(
      [](const json& v) {
        const json r = resource(v, "nvidia.com/mig-1g.5gb");
        return r.value("bound", 0) == 1 && r.value("reserved", -1) == 0;
      },
      "train-1 bound");
  EXPECT_EQ(resource(view, "nvidia.com/mig-1g.5gb").value("free", 0), 1) << view.dump(2);
  ASSERT_EQ((*node(view, "gpu-a"))["boundPods"].size(), 1u) << view.dump(2);
  EXPECT_EQ((*node(view, "gpu-a"))["boundPods"][0]["name"], "train-1");

  // The pod goes away: its slice is free again.
  kubelet_->setPods({});
  view = waitForLedger(
      [](const json& v) {
        const json r = resource(v, "nvidia.com/mig-1g.5gb");
        return r.value("bound", -1) == 0 && r.value("free", 0) == 2;
      },
      "train-1's slice freed");
  EXPECT_TRUE((*node(view, "gpu-a"))["boundPods"].empty()) << view.dump(2);
}

TEST_F(AgentEndToEnd, AnXidMakesTheSliceUnhealthyAndABindingThatNeedsItIsDenied) {
  startAgent();
  waitForLedger([](const json& v) { return resource(v, "nvidia.com/mig-3g.20gb").value("healthy", 0) == 1; },
                "gpu-a's inventory");
  // The pod is admitted while the slice is healthy; the scheduler binds it after the XID.
  ASSERT_EQ(validate(podReview("uid-big-1", "big-1", "nvidia.com/mig-3g.20gb"))["allowed"], true);

  // XID 79 (fallen off the bus) attributed to the 3g.20gb instance (GI 2, CI 0).
  writeNvmlConfig(nvmlConfig(json::parse(R"([{"id": "xid-1", "gpu": 0, "xid": 79, "gi": 2, "ci": 0}])")));
  json view = waitForLedger(
      [](const json& v) { return resource(v, "nvidia.com/mig-3g.20gb").value("healthy", -1) == 0; },
      "the 3g.20gb slice unhealthy");
  EXPECT_EQ(resource(view, "nvidia.com/mig-1g.5gb").value("healthy", 0), 2) << "only that slice: " << view.dump(2);
  EXPECT_TRUE(agent_->waitForOutput(std::string("device ") + kMig3g + " marked unhealthy")) << agent_->output();

  json bind = validate(bindingReview("uid-big-1", "big-1"));
  EXPECT_EQ(bind["allowed"], false) << bind.dump();
  const std::string message = bind["status"].value("message", "");
  EXPECT_NE(message.find("nvidia.com/mig-3g.20gb"), std::string::npos) << message;

  const std::string metrics = agentHealth("/metrics");
  EXPECT_NE(metrics.find("migwarden_agent_xid_events_total 1"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("migwarden_agent_unhealthy_devices 1"), std::string::npos) << metrics;
  (void)kMig1gB;
}

TEST_F(AgentEndToEnd, ATokenForAnotherNodeIsRefusedAndLoggedWithTheReasonButNeverTheToken) {
  const std::string otherToken = mintAgentToken("gpu-b", dir_.file("agent.key"));
  ASSERT_FALSE(otherToken.empty());
  writeFile(dir_.file("token"), otherToken + "\n");
  startAgent();
  ASSERT_TRUE(agent_->waitForOutput("ledger refused the agent's token (403 forbidden)")) << agent_->output();
  EXPECT_NE(agent_->output().find("gpu-b"), std::string::npos) << "the reason names the token's node";
  EXPECT_EQ(agent_->output().find(otherToken), std::string::npos) << "the token must never be logged";
  const std::string metrics = agentHealth("/metrics");
  EXPECT_NE(metrics.find("migwarden_agent_report_failures_total{reason=\"forbidden\"} 1"), std::string::npos)
      << metrics;
  int status = 0;
  agentHealth("/readyz", &status);
  EXPECT_EQ(status, 503);
}

TEST_F(AgentEndToEnd, OnceDryRunPrintsTheReportWithoutAServer) {
  AgentRun run = runAgent({"--once", "--dry-run", "--node-name", "gpu-a", "--nvml-lib", FAKE_NVML,
                           "--pod-resources-socket", kubelet_->socketPath(), "--kubelet-checkpoint", "",
                           "--boot-id-file", dir_.file("boot_id")},
                          agentEnv());
  ASSERT_EQ(run.exitCode, 0) << run.all;
  json report = json::parse(run.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << run.out;
  EXPECT_EQ(report["node"], "gpu-a");
  ASSERT_EQ(report["gpus"].size(), 1u);
  EXPECT_EQ(report["gpus"][0]["migDevices"].size(), 3u);
  EXPECT_EQ(report["bootId"], "6b1f7d52-0d7e-4a3c-9d1e-2c7a5e9b3f10");
}

TEST_F(AgentEndToEnd, OnceSendsOneReportAndExitsZero) {
  std::vector<std::string> args = agentArgs();
  args.push_back("--once");
  AgentRun run = runAgent(args, agentEnv());
  EXPECT_EQ(run.exitCode, 0) << run.all;
  EXPECT_NE(node(ledgerNodes(), "gpu-a"), nullptr);
}

TEST_F(AgentEndToEnd, WithoutNvmlTheAgentRunsSaysSoAndIsNotReady) {
  std::vector<std::string> args = agentArgs();
  args.push_back("--nvml-lib=" + dir_.file("no-such-libnvidia-ml.so.1"));
  agent_ = std::make_unique<AgentProcess>(args, agentEnv());
  agentHealthPort_ = agent_->waitForHealthPort();
  ASSERT_NE(agentHealthPort_, 0) << agent_->output();
  EXPECT_TRUE(agent_->waitForOutput("NVML is missing")) << agent_->output();
  int status = 0;
  const std::string body = agentHealth("/readyz", &status);
  EXPECT_EQ(status, 503);
  EXPECT_NE(body.find("NVML"), std::string::npos) << body;
  agent_->sendSignal(SIGINT);
  EXPECT_EQ(agent_->waitForExit(), 0) << agent_->output();

  args.push_back("--once");
  AgentRun once = runAgent(args, agentEnv());
  EXPECT_EQ(once.exitCode, 1) << once.all;
}

TEST_F(AgentEndToEnd, ABadCommandLineExitsTwoNamingTheFlagAndHelpListsTheFlags) {
  AgentRun bad = runAgent({"--interval", "soon", "--node-name", "gpu-a"}, {});
  EXPECT_EQ(bad.exitCode, 2);
  EXPECT_NE(bad.all.find("--interval"), std::string::npos) << bad.all;
  AgentRun help = runAgent({"--help"}, {});
  EXPECT_EQ(help.exitCode, 0);
  EXPECT_NE(help.out.find("--pod-resources-socket"), std::string::npos) << help.out;
}

}  // namespace
}  // namespace migwarden::testing
