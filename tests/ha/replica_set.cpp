#include "tests/ha/replica_set.h"

#include "tests/support/blackbox/reviews.h"

#include <signal.h>

#include <thread>

#include "tests/support/temp_dir.h"

namespace migwarden::testing::ha {

using nlohmann::json;

Verdict admitOn(HttpClient& client, const json& review) {
  Verdict v;
  auto reply = client.request("POST", "/validate", review.dump());
  if (!reply) {
    v.failure = "no reply (connection closed)";
    return v;
  }
  if (reply->status != 200) {
    v.failure = "HTTP " + std::to_string(reply->status) + ": " + reply->body;
    return v;
  }
  json body = json::parse(reply->body, nullptr, false);
  if (body.is_discarded() || !body.contains("response") || !body["response"].contains("allowed")) {
    v.failure = "not an AdmissionReview response: " + reply->body;
    return v;
  }
  const json& response = body["response"];
  v.answered = true;
  v.allowed = response["allowed"].get<bool>();
  if (response.contains("status") && response["status"].is_object()) {
    v.code = response["status"].value("code", 0);
    v.message = response["status"].value("message", "");
  }
  return v;
}

bool pollUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout,
               std::chrono::milliseconds pause) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    if (done()) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(pause);
  }
}

ReplicaSet::ReplicaSet(ReplicaSetOptions options) : options_(std::move(options)) {
  pki_ = makeDevPki(options_.rootDir + "/certs");
  agentKeyPath_ = options_.rootDir + "/agent.key";
  writeFile(agentKeyPath_, "an-hs256-key-for-tests-that-is-long-enough-0123456789\n");
  replicas_.resize(static_cast<size_t>(options_.replicas));
}

ReplicaSet::~ReplicaSet() = default;  // each WebhookProcess SIGKILLs its child

std::vector<std::string> ReplicaSet::flagsFor(int i) const {
  std::vector<std::string> args{"--tls-cert",        pki_.certPath,
                                "--tls-key",         pki_.keyPath,
                                "--agent-hs256-key", agentKeyPath_,
                                "--ledger-dir",      options_.rootDir + "/ledger-" + std::to_string(i)};
  args.insert(args.end(), options_.backendFlags.begin(), options_.backendFlags.end());
  args.insert(args.end(), options_.extraFlags.begin(), options_.extraFlags.end());
  return args;
}

void ReplicaSet::startAll() {
  for (int i = 0; i < size(); ++i) start(i);
}

bool ReplicaSet::start(int i) {
  replicas_.at(i).reset();  // a previous process of this slot is killed and reaped first
  replicas_.at(i) = std::make_unique<WebhookProcess>(flagsFor(i));
  return replicas_.at(i)->started();
}

void ReplicaSet::kill(int i) {
  WebhookProcess& p = *replicas_.at(i);
  p.sendSignal(SIGKILL);
  p.waitForExit(std::chrono::seconds(10));
}

bool ReplicaSet::running(int i) const {
  const auto& p = replicas_.at(i);
  return p && p->started() && p->waitForExit(std::chrono::seconds(0)) == -1000;
}

std::unique_ptr<HttpClient> ReplicaSet::connect(int i) const {
  TlsOptions tls;
  tls.caPem = pki_.caPem();
  std::string error;
  return HttpClient::connectTls(replicas_.at(i)->tlsPort(), tls, &error);
}

Verdict ReplicaSet::admit(int i, const json& review) const {
  auto client = connect(i);
  if (!client) {
    Verdict v;
    v.failure = "cannot connect to replica " + std::to_string(i);
    return v;
  }
  return admitOn(*client, review);
}

int ReplicaSet::putNodeReport(int i, const json& report) {
  std::string node = report.at("node").get<std::string>();
  std::string token = agentToken(node);
  auto client = connect(i);
  if (!client) return 0;
  auto reply = client->request("PUT", "/ledger/v1/nodes/" + node, report.dump(), "application/json",
                               {{"Authorization", "Bearer " + token}});
  return reply ? reply->status : 0;
}

std::optional<json> ReplicaSet::ledgerView(int i) {
  // Any node's token reads the whole ledger (docs/ledger-api.md).
  std::string token = agentToken("ha-observer");
  auto client = connect(i);
  if (!client) return std::nullopt;
  auto reply = client->request("GET", "/ledger/v1/nodes", "", "application/json", {{"Authorization", "Bearer " + token}});
  if (!reply || reply->status != 200) return std::nullopt;
  json view = json::parse(reply->body, nullptr, false);
  if (view.is_discarded()) return std::nullopt;
  return view;
}

int ReplicaSet::readyz(int i) const {
  auto client = HttpClient::connectPlain(replicas_.at(i)->healthPort());
  if (!client) return 0;
  auto reply = client->request("GET", "/readyz");
  return reply ? reply->status : 0;
}

std::string ReplicaSet::readyzBody(int i) const {
  auto client = HttpClient::connectPlain(replicas_.at(i)->healthPort());
  if (!client) return "";
  auto reply = client->request("GET", "/readyz");
  return reply ? reply->body : "";
}

std::string ReplicaSet::agentToken(const std::string& node) {
  std::lock_guard lock(tokensMu_);
  auto it = tokens_.find(node);
  if (it != tokens_.end()) return it->second;
  std::string token = mintAgentToken(node, agentKeyPath_);
  tokens_[node] = token;
  return token;
}

std::string ReplicaSet::outputs() const {
  std::string all;
  for (size_t i = 0; i < replicas_.size(); ++i) {
    if (!replicas_[i]) continue;
    all += "----- replica " + std::to_string(i) + " -----\n" + replicas_[i]->output();
  }
  return all;
}

}  // namespace migwarden::testing::ha
