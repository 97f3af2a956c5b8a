// Plain-text tables of a LedgerView for people (`migwardenctl ledger show`): nodes,
// free/total per resource, bound pods, reservations, pending pods, conflicts. Pure
// function; `now` makes reservation expiry relative ("in 4m") and testable.
#pragma once

#include <string>

#include "webhook/ledger/ledger_types.h"

namespace migwarden::ledger {

std::string renderLedgerTables(const LedgerView& view, TimePoint now);

}  // namespace migwarden::ledger
