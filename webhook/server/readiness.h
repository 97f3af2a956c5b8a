// The /readyz verdict: ready when every registered check passes and the server is not
// shutting down. Components that arrive later (ledger, policy) register their own check
// at wiring time, e.g. readiness.add("ledger", [&] { return ledger.health(); }).
//
// Thread-safety: add() only before the server starts; failing() and setDraining() from
// any thread afterwards (the checks themselves must be thread-safe).
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "webhook/common/status.h"

namespace migwarden::server {

class Readiness {
 public:
  using Check = std::function<Status()>;  // OK = ready; otherwise the message says why

  void add(std::string name, Check check);
  void setDraining() { draining_.store(true, std::memory_order_relaxed); }

  // "name: reason" for every failing check ("shutdown: draining" while draining);
  // empty when ready.
  std::vector<std::string> failing() const;

 private:
  struct Entry {
    std::string name;
    Check check;
  };
  std::vector<Entry> checks_;
  std::atomic<bool> draining_{false};
};

}  // namespace migwarden::server
