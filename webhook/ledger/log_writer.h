// Frames records for the ledger log. Pure: encoding only; the caller owns the file and
// decides when to sync (LocalStore batches several records per fsync: group commit).
#pragma once

#include <string>
#include <string_view>

#include "webhook/ledger/log_format.h"

namespace migwarden::ledger::log {

// Appends one framed record to `out`.
void appendRecord(std::string& out, RecordType type, std::string_view payload);

// Little-endian fixed-width helpers (also used for the sequence number prefix).
void putFixed32(std::string& out, uint32_t v);
void putFixed64(std::string& out, uint64_t v);
uint32_t decodeFixed32(const char* p);
uint64_t decodeFixed64(const char* p);

}  // namespace migwarden::ledger::log
