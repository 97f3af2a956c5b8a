// Decodes the JSON of GET /ledger/v1/nodes (view_json.h's encodeLedgerView) back into a
// LedgerView, so `migwardenctl ledger show --server` prints the same tables as for a
// local directory. Errors are InvalidArgument naming the field. Pure function.
#pragma once

#include <string_view>

#include "webhook/common/status.h"
#include "webhook/ledger/ledger_types.h"

namespace migwarden::ledger {

Result<LedgerView> decodeLedgerView(std::string_view json);

}  // namespace migwarden::ledger
