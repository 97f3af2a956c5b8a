// JSON payloads of the ledger's log records and snapshot. The log stores mutations
// (a node report, a pending pod, a granted reservation, released or expired uids); the
// snapshot stores the whole state. Times are nanoseconds since the Unix epoch so that
// replay rebuilds bit-identical state. Pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/common/status.h"
#include "webhook/ledger/ledger_state.h"
#include "webhook/ledger/ledger_types.h"

namespace migwarden::ledger::codec {

std::string encodePending(const PendingPod& pod);
Result<PendingPod> decodePending(std::string_view json);

std::string encodeReservation(const Reservation& r);
Result<Reservation> decodeReservation(std::string_view json);

std::string encodeUids(const std::vector<std::string>& uids);
Result<std::vector<std::string>> decodeUids(std::string_view json);

// The snapshot covers every log record with sequence <= `sequence`.
std::string encodeSnapshot(const LedgerState& state, uint64_t sequence);
// Rebuilds `state` (which must be empty) and returns the covered sequence.
Result<uint64_t> decodeSnapshot(std::string_view json, LedgerState* state);

}  // namespace migwarden::ledger::codec
