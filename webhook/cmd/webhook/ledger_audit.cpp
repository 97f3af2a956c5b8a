#include "webhook/cmd/webhook/ledger_audit.h"

#include <string>

namespace migwarden::webhook {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const std::string& item : items) {
    if (!out.empty()) out += ',';
    out += item;
  }
  return out;
}

audit::AuditRecord ledgerRecord(audit::LedgerEvent event, const policy::PolicyStore& policies) {
  audit::AuditRecord r;
  r.kind = audit::RecordKind::kLedger;
  r.event = event;
  r.decision = audit::Decision::kNone;
  r.policyDigest = policies.current()->digest();
  return r;
}

// A released entry is a pod uid, or "namespace/name" when the agent gave no uid.
void setPodIdentity(std::string_view pod, audit::AuditRecord& r) {
  if (auto slash = pod.find('/'); slash != std::string_view::npos) {
    r.namespace_ = std::string(pod.substr(0, slash));
    r.name = std::string(pod.substr(slash + 1));
  } else {
    r.podUid = std::string(pod);
  }
}

}  // namespace

Status AuditedStore::gate() const {
  if (log_.acceptingWrites()) return Status::Ok();
  return Status::Unavailable(
      "the audit log cannot record ledger changes (--audit-failure deny): no GPU is reserved until it recovers; "
      "see /readyz and the migwarden_audit_* metrics");
}

Result<ledger::ReserveOutcome> AuditedStore::reserve(const ledger::ReserveRequest& request) {
  if (!request.dryRun) MIGWARDEN_RETURN_IF_ERROR(gate());
  auto outcome = inner_.reserve(request);
  if (!outcome.ok() || request.dryRun || outcome->kind != ledger::ReserveOutcome::Kind::kReserved) return outcome;
  const ledger::Reservation& res = outcome->reservation;
  audit::AuditRecord r = ledgerRecord(audit::LedgerEvent::kReservation, policies_);
  r.operation = "RESERVE";
  r.podUid = res.podUid;
  r.namespace_ = res.ns;
  r.name = res.name;
  r.node = res.node;
  for (const auto& [resource, count] : res.needs) r.migResources.push_back({resource, count});
  r.details["expiresInSeconds"] =
      std::to_string(std::chrono::duration_cast<std::chrono::seconds>(res.expiresAt - res.createdAt).count());
  log_.append(std::move(r));
  return outcome;
}

Result<bool> AuditedStore::release(std::string_view podUid) {
  const auto held = inner_.reservationOf(podUid);
  auto released = inner_.release(podUid);
  if (!released.ok() || !*released) return released;
  audit::AuditRecord r = ledgerRecord(audit::LedgerEvent::kRelease, policies_);
  r.operation = "RELEASE";
  r.podUid = std::string(podUid);
  if (held) {
    r.namespace_ = held->ns;
    r.name = held->name;
    r.node = held->node;
    for (const auto& [resource, count] : held->needs) r.migResources.push_back({resource, count});
  }
  r.details["reason"] = "pod deleted or binding abandoned";
  log_.append(std::move(r));
  return released;
}

Result<std::vector<std::string>> AuditedStore::expireReservations(ledger::TimePoint now) {
  auto expired = inner_.expireReservations(now);
  if (!expired.ok()) return expired;
  for (const std::string& podUid : *expired) {
    audit::AuditRecord r = ledgerRecord(audit::LedgerEvent::kExpiry, policies_);
    r.operation = "EXPIRE";
    r.podUid = podUid;
    r.details["reason"] = "no agent report confirmed the reservation within its TTL";
    log_.append(std::move(r));
  }
  return expired;
}

void LedgerReportAuditor::reportAccepted(const ledger::NodeReport& report, const ledger::ApplyOutcome& outcome,
                                         std::string_view subject) {
  audit::AuditRecord r = ledgerRecord(audit::LedgerEvent::kReportAccepted, policies_);
  r.operation = "PUT";
  r.resource = "nodes";
  r.user = std::string(subject);
  r.node = report.node;
  r.decision = audit::Decision::kAllowed;
  size_t migDevices = 0;
  for (const auto& gpu : report.gpus) migDevices += gpu.migDevices.size();
  r.details["sequence"] = std::to_string(report.sequence);
  r.details["bootId"] = report.bootId;
  r.details["newBoot"] = outcome.newBoot ? "true" : "false";
  r.details["gpus"] = std::to_string(report.gpus.size());
  r.details["migDevices"] = std::to_string(migDevices);
  r.details["allocations"] = std::to_string(report.allocations.size());
  r.details["conflicts"] = std::to_string(outcome.conflicts.size());
  log_.append(std::move(r));

  for (const std::string& podUid : outcome.nowBound) {
    audit::AuditRecord b = ledgerRecord(audit::LedgerEvent::kBind, policies_);
    b.operation = "BIND";
    b.node = report.node;
    b.podUid = podUid;
    for (const auto& a : report.allocations) {
      if (a.podUid != podUid) continue;
      b.namespace_ = a.ns;
      b.name = a.pod;
      b.migResources.push_back({a.resource, static_cast<int64_t>(a.deviceIds.size())});
      b.deviceUuids.insert(b.deviceUuids.end(), a.deviceIds.begin(), a.deviceIds.end());
    }
    log_.append(std::move(b));
  }
  for (const std::string& pod : outcome.released) {
    audit::AuditRecord rel = ledgerRecord(audit::LedgerEvent::kRelease, policies_);
    rel.operation = "RELEASE";
    rel.node = report.node;
    setPodIdentity(pod, rel);
    rel.details["reason"] = "the node agent no longer reports the pod's devices";
    log_.append(std::move(rel));
  }
  for (const ledger::Conflict& c : outcome.newConflicts) {
    audit::AuditRecord cr = ledgerRecord(audit::LedgerEvent::kConflict, policies_);
    cr.operation = "CONFLICT";
    cr.node = c.node.empty() ? report.node : c.node;
    cr.message = c.message;
    cr.deviceUuids = c.devices;
    for (const std::string& res : c.resources) cr.migResources.push_back({res, 0});
    cr.details["pods"] = join(c.pods);
    log_.append(std::move(cr));
  }
}

void LedgerReportAuditor::reportRefused(std::string_view node, std::string_view reason, int httpStatus,
                                        std::string_view message) {
  audit::AuditRecord r = ledgerRecord(audit::LedgerEvent::kReportRefused, policies_);
  r.operation = "PUT";
  r.resource = "nodes";
  r.node = std::string(node.substr(0, 253));
  r.decision = audit::Decision::kDenied;
  r.message = std::string(message.substr(0, 1024));
  r.details["reason"] = std::string(reason);
  r.details["httpStatus"] = std::to_string(httpStatus);
  log_.append(std::move(r));
}

}  // namespace migwarden::webhook
