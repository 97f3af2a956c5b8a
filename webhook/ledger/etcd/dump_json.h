// The file `migwardenctl ledger export` writes and `ledger import` reads: a LedgerDump
// (store.h) as JSON, backend-neutral:
//   {"format":"migwarden.ledger.export/v1","nodes":[report...],
//    "reservations":[...],"pending":[...]}
// Reports use the agent's report format, reservations and pending pods the ledger
// log's record format. Pure functions; decoding errors name the field.
#pragma once

#include <string>
#include <string_view>

#include "webhook/common/status.h"
#include "webhook/ledger/store.h"

namespace migwarden::ledger {

inline constexpr std::string_view kLedgerDumpFormat = "migwarden.ledger.export/v1";

std::string encodeLedgerDump(const LedgerDump& dump);
Result<LedgerDump> decodeLedgerDump(std::string_view json);

}  // namespace migwarden::ledger
