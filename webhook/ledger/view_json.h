// JSON for the ledger's views: `migwardenctl ledger show --output json` and the bodies
// of GET /ledger/v1/nodes and GET /ledger/v1/nodes/{node}. Pure functions.
#pragma once

#include <string>

#include "webhook/ledger/ledger_types.h"
#include "webhook/ledger/node_report.h"

namespace migwarden::ledger {

// {"nodes":[summary...],"reservations":[...],"pending":[...],"conflicts":[...],
//  "readOnly":false}
std::string encodeLedgerView(const LedgerView& view);
// {"summary":{...},"report":{node report}}
std::string encodeNodeView(const NodeReport& report, const NodeSummary& summary);

}  // namespace migwarden::ledger
