// Filters for `migwardenctl audit query`: which records a security analyst asked for.
// Pure, thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "webhook/audit/audit_record.h"

namespace migwarden::audit {

struct AuditFilter {
  std::optional<std::chrono::system_clock::time_point> since;  // inclusive
  std::optional<std::chrono::system_clock::time_point> until;  // exclusive
  std::string namespace_;
  std::string pod;       // pod name or pod UID
  std::string node;
  std::string decision;  // a decision ("denied") or a ledger event ("conflict")
  std::string rule;      // any matched rule id
};

// Empty filter fields match everything.
bool matches(const AuditRecord& record, const AuditFilter& filter);

}  // namespace migwarden::audit
