#include "webhook/audit/audit_record.h"

#include <array>
#include <utility>

namespace migwarden::audit {
namespace {

constexpr std::array<std::pair<Decision, std::string_view>, 5> kDecisions{{
    {Decision::kAllowed, "allowed"},
    {Decision::kDenied, "denied"},
    {Decision::kWarned, "warned"},
    {Decision::kAudited, "audited"},
    {Decision::kError, "error"},
}};

constexpr std::array<std::pair<LedgerEvent, std::string_view>, 7> kEvents{{
    {LedgerEvent::kReservation, "reservation"},
    {LedgerEvent::kBind, "bind"},
    {LedgerEvent::kRelease, "release"},
    {LedgerEvent::kExpiry, "expiry"},
    {LedgerEvent::kConflict, "conflict"},
    {LedgerEvent::kReportAccepted, "report-accepted"},
    {LedgerEvent::kReportRefused, "report-refused"},
}};

template <typename E, size_t N>
std::string_view nameOf(const std::array<std::pair<E, std::string_view>, N>& table, E value) {
  for (const auto& [v, name] : table)
    if (v == value) return name;
  return {};
}

template <typename E, size_t N>
std::optional<E> valueOf(const std::array<std::pair<E, std::string_view>, N>& table, std::string_view text) {
  for (const auto& [v, name] : table)
    if (name == text) return v;
  return std::nullopt;
}

}  // namespace

std::string_view recordKindName(RecordKind kind) { return kind == RecordKind::kLedger ? "ledger" : "admission"; }
std::string_view decisionName(Decision decision) { return nameOf(kDecisions, decision); }
std::string_view ledgerEventName(LedgerEvent event) { return nameOf(kEvents, event); }

std::optional<RecordKind> parseRecordKind(std::string_view text) {
  if (text == "admission") return RecordKind::kAdmission;
  if (text == "ledger") return RecordKind::kLedger;
  return std::nullopt;
}
std::optional<Decision> parseDecision(std::string_view text) { return valueOf(kDecisions, text); }
std::optional<LedgerEvent> parseLedgerEvent(std::string_view text) { return valueOf(kEvents, text); }

}  // namespace migwarden::audit
