// Several real migwarden-webhook processes sharing one ledger backend, as an HA
// Deployment runs them, plus the calls the apiserver, the scheduler and the node agent
// make to them. Used by the HA tests (tests/ha) and the HA benchmark (tests/bench/ha).
//
// Thread-safety: start/kill/restart are for the controlling thread only. Everything else
// (connect, admit, putNodeReport, ledgerView, readyz, agentToken) may be called from
// any number of threads while no replica is being (re)started.
#pragma once

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "tests/support/blackbox/dev_pki.h"
#include "tests/support/blackbox/http_client.h"
#include "tests/support/blackbox/webhook_process.h"

namespace migwarden::testing::ha {

// What a scheduler learns from one pods/binding (or pod) AdmissionReview.
struct Verdict {
  bool answered = false;  // HTTP 200 with an AdmissionReview response
  bool allowed = false;
  int code = 0;           // response.status.code of a denial
  std::string message;    // response.status.message of a denial
  std::string failure;    // when !answered: the transport error or HTTP status
};

// POST /validate on an open connection (keep-alive); parses the AdmissionReview.
Verdict admitOn(HttpClient& client, const nlohmann::json& review);

// Calls `done` until it returns true or `timeout` passes; false on timeout. The pause
// between attempts only paces the polling: the outcome is decided by `done`.
bool pollUntil(const std::function<bool()>& done, std::chrono::milliseconds timeout,
               std::chrono::milliseconds pause = std::chrono::milliseconds(10));

struct ReplicaSetOptions {
  std::string rootDir;                    // PKI, agent key and per-replica ledger dirs
  int replicas = 3;
  std::vector<std::string> backendFlags;  // e.g. {"--ledger-backend", "etcd", ...}; empty: local
  std::vector<std::string> extraFlags;    // appended to every replica's command line
};

class ReplicaSet {
 public:
  // Makes the dev PKI (certs/gen-dev-certs.sh) and the agent HS256 key; starts nothing.
  explicit ReplicaSet(ReplicaSetOptions options);
  ~ReplicaSet();

  void startAll();
  // (Re)starts replica i on new free ports. False when it did not come up (its output is
  // in the test log).
  bool start(int i);
  // SIGKILL, no goodbye: a crashed or evicted pod. Reaps it before returning.
  void kill(int i);
  int size() const { return static_cast<int>(replicas_.size()); }
  bool running(int i) const;
  WebhookProcess& process(int i) { return *replicas_.at(i); }

  // A new TLS connection to replica i (nullptr when it refuses or the handshake fails).
  std::unique_ptr<HttpClient> connect(int i) const;
  // Each on a new connection.
  Verdict admit(int i, const nlohmann::json& review) const;
  int putNodeReport(int i, const nlohmann::json& report);  // HTTP status; 0 = no reply
  std::optional<nlohmann::json> ledgerView(int i);         // GET /ledger/v1/nodes
  int readyz(int i) const;                                  // HTTP status; 0 = no reply
  std::string readyzBody(int i) const;

  // A dev token for `node`, minted once by `migwardenctl token` (as docs/agent-auth.md
  // tells people to) and cached.
  std::string agentToken(const std::string& node);
  // Every replica's log, for failure messages.
  std::string outputs() const;

 private:
  std::vector<std::string> flagsFor(int i) const;

  ReplicaSetOptions options_;
  DevPki pki_;
  std::string agentKeyPath_;
  std::vector<std::unique_ptr<WebhookProcess>> replicas_;
  std::mutex tokensMu_;
  std::map<std::string, std::string> tokens_;
};

}  // namespace migwarden::testing::ha
