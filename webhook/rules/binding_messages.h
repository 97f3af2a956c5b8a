// Texts of binding refusals, built from the ledger's view of the target node so that a
// platform team reading `kubectl describe pod` (FailedBinding event) sees the numbers:
//   node "gpu-a": nvidia.com/mig-1g.5gb: 1 requested, 0 free (7 healthy, 6 bound, 1 reserved)
// Pure functions; thread-safe.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "webhook/common/status.h"
#include "webhook/ledger/ledger_types.h"

namespace migwarden::rules {

// "nvidia.com/mig-1g.5gb=2,nvidia.com/mig-3g.20gb=1" (sorted by resource, as stored).
std::string formatCounts(const ledger::ResourceCounts& counts);

// Why `node` refused `needs`, given the store's error `refusal` (NotFound,
// FailedPrecondition or ResourceExhausted) and the node's summary now (nullopt when the
// node never reported). The store decides atomically; the summary is read afterwards,
// so when it no longer explains the refusal (another pod released slices meanwhile) the
// store's own message is used.
std::string describeRefusal(std::string_view node, const ledger::ResourceCounts& needs, const Status& refusal,
                            const std::optional<ledger::NodeSummary>& summary);

}  // namespace migwarden::rules
