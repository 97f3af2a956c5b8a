// PolicyStore: the active policy, swapped atomically on reload. A request takes one
// snapshot (current()) and uses it throughout, so it sees one table, never a mix. A
// failed reload keeps the old table; the caller logs and counts it.
// Thread-safety: all methods may be called concurrently.
#pragma once

#include <memory>
#include <mutex>

#include "webhook/policy/policy.h"

namespace migwarden::policy {

class PolicyStore {
 public:
  explicit PolicyStore(std::shared_ptr<const Policy> initial) : current_(std::move(initial)) {}

  std::shared_ptr<const Policy> current() const {
    std::lock_guard<std::mutex> lock(mu_);
    return current_;
  }

  // Installs `next` and returns the previous policy. Null is ignored (keeps the old one).
  std::shared_ptr<const Policy> replace(std::shared_ptr<const Policy> next) {
    if (!next) return current();
    std::lock_guard<std::mutex> lock(mu_);
    std::swap(current_, next);
    return next;
  }

 private:
  // A mutex rather than std::atomic<shared_ptr>: the critical section is one refcount
  // increment, and it keeps the code portable to standard libraries without it.
  mutable std::mutex mu_;
  std::shared_ptr<const Policy> current_;
};

}  // namespace migwarden::policy
