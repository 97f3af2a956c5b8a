// Canonical JSON for audit records (RapidJSON Writer, fixed member order, compact, one
// line) and the reverse parse used by `migwardenctl audit query`. Member order:
//   seq prev time kind requestUid user groups operation resource subResource namespace
//   name podUid node decision rules message warnings migResources deviceUuids
//   policyDigest dryRun latencyMicros event details hash
// Empty strings, empty lists and unset values are omitted; `dryRun` is always present in
// admission records. Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "webhook/audit/audit_record.h"
#include "webhook/common/status.h"

namespace migwarden::audit {

// The record's members as one canonical JSON object, without the chain members.
std::string encodeRecordBody(const AuditRecord& record);

// A stored record: chain members plus the typed record.
struct ChainedRecord {
  uint64_t seq = 0;
  std::string prev;
  std::string hash;
  AuditRecord record;
};

// Parses one stored line (without "\n"). Errors name the offending member.
Result<ChainedRecord> decodeRecordLine(std::string_view line);

}  // namespace migwarden::audit
