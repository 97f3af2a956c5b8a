// AuditRecord: one admission decision or one ledger change, as security teams read it in
// the audit log (docs/audit.md describes every field). A plain value type; the
// writer (audit_log.h) adds the chain fields `seq`, `prev` and `hash`.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace migwarden::audit {

enum class RecordKind { kAdmission, kLedger };

// What happened to the request. kWarned = allowed with warnings; kAudited = allowed, but a
// rule in `audit` enforcement matched (log only); kError = the webhook could not decide.
enum class Decision { kNone, kAllowed, kDenied, kWarned, kAudited, kError };

enum class LedgerEvent {
  kNone,
  kReservation,
  kBind,
  kRelease,
  kExpiry,
  kConflict,
  kReportAccepted,
  kReportRefused,
};

struct RuleHit {
  std::string id;      // policy rule id, e.g. "hardening.visible-devices"
  std::string action;  // enforcement applied: deny | warn | audit | mutate

  bool operator==(const RuleHit&) const = default;
};

struct MigResource {
  std::string resource;  // e.g. "nvidia.com/mig-1g.5gb"
  int64_t count = 0;

  bool operator==(const MigResource&) const = default;
};

struct AuditRecord {
  // Zero (the epoch) means "now": AuditLog::append stamps it from its Clock.
  std::chrono::system_clock::time_point time{};
  RecordKind kind = RecordKind::kAdmission;

  // Who asked for what (from the AdmissionReview request).
  std::string requestUid;
  std::string user;
  std::vector<std::string> groups;
  std::string operation;    // CREATE | UPDATE | DELETE | CONNECT, or the ledger API verb
  std::string resource;     // e.g. "pods"
  std::string subResource;  // e.g. "binding", "ephemeralcontainers"
  std::string namespace_;
  std::string name;
  std::string podUid;
  std::string node;

  // What migwarden decided and why.
  Decision decision = Decision::kNone;
  std::vector<RuleHit> rules;
  std::string message;
  std::vector<std::string> warnings;
  std::vector<MigResource> migResources;
  std::vector<std::string> deviceUuids;
  std::string policyDigest;
  bool dryRun = false;
  std::optional<int64_t> latencyMicros;  // server-side time to answer

  // Ledger changes only.
  LedgerEvent event = LedgerEvent::kNone;
  std::map<std::string, std::string> details;  // sorted: serialization is canonical

  bool operator==(const AuditRecord&) const = default;
};

std::string_view recordKindName(RecordKind kind);
std::string_view decisionName(Decision decision);  // "" for kNone
std::string_view ledgerEventName(LedgerEvent event);  // "" for kNone, else e.g. "report-accepted"
std::optional<RecordKind> parseRecordKind(std::string_view text);
std::optional<Decision> parseDecision(std::string_view text);
std::optional<LedgerEvent> parseLedgerEvent(std::string_view text);

}  // namespace migwarden::audit
