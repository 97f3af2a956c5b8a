// What admission rules may use besides the request: the active policy table, the MIG
// allocation ledger and the clock. Rules receive this at construction and keep only
// references; everything referenced must outlive the rules (main() owns it all).
#pragma once

#include <chrono>

#include "webhook/common/clock.h"
#include "webhook/ledger/store.h"
#include "webhook/policy/policy_store.h"

namespace migwarden::rules {

struct RuleDeps {
  const policy::PolicyStore& policies;
  ledger::Store& ledger;
  const Clock& clock;
  // How long a reservation made at binding time waits for the agent to report the pod's
  // devices before it expires.
  std::chrono::seconds reservationTtl{300};
};

}  // namespace migwarden::rules
