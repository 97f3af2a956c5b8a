#include "webhook/rules/binding_messages.h"

#include <algorithm>

#include "webhook/admission/sanitize.h"

namespace migwarden::rules {

namespace {

// Node names and states come from the request or an agent: quoted, cleaned and cut.
std::string quoted(std::string_view s) { return admission::quoteValue(s); }

const ledger::ResourceSummary* findResource(const ledger::NodeSummary& summary, std::string_view resource) {
  auto it = std::find_if(summary.resources.begin(), summary.resources.end(),
                         [&](const ledger::ResourceSummary& r) { return r.resource == resource; });
  return it == summary.resources.end() ? nullptr : &*it;
}

std::string shortage(const std::string& resource, int64_t requested, const ledger::ResourceSummary* r) {
  std::string text = resource + ": " + std::to_string(requested) + " requested, ";
  if (r == nullptr) return text + "0 free (the node has none)";
  return text + std::to_string(r->free) + " free (" + std::to_string(r->healthy) + " healthy, " +
         std::to_string(r->bound) + " bound, " + std::to_string(r->reserved) + " reserved)";
}

}  // namespace

std::string formatCounts(const ledger::ResourceCounts& counts) {
  std::string out;
  for (const auto& [resource, n] : counts) {
    if (!out.empty()) out += ',';
    out += resource;
    out += '=';
    out += std::to_string(n);
  }
  return out;
}

std::string describeRefusal(std::string_view node, const ledger::ResourceCounts& needs, const Status& refusal,
                            const std::optional<ledger::NodeSummary>& summary) {
  const std::string prefix = "node " + quoted(node) + ": ";
  if (refusal.code() == StatusCode::kNotFound || !summary) {
    return prefix +
           "the migwarden agent has not reported this node, so its GPU capacity cannot be checked (pod needs " +
           formatCounts(needs) + ")";
  }
  if (summary->reconfiguring || !summary->acceptsReservations) {
    std::string state = summary->migConfigState.empty() ? "unknown" : summary->migConfigState;
    std::string what = summary->reconfiguring ? "MIG reconfiguration in progress" : "MIG configuration not ready";
    return prefix + what + " (migConfigState " + quoted(state) +
           "); no GPU pods are bound here until it reports \"success\"";
  }
  // Every resource that falls short, so one event tells the whole story.
  std::string reasons;
  for (const auto& [resource, requested] : needs) {
    const ledger::ResourceSummary* r = findResource(*summary, resource);
    std::string reason;
    if (r != nullptr && r->conflicted) {
      reason = resource + ": conflicting allocations reported (see `migwardenctl ledger show`); no new pods until "
                          "the conflict is resolved";
    } else if (r == nullptr || r->free < requested) {
      reason = shortage(resource, requested, r);
    }
    if (reason.empty()) continue;
    if (!reasons.empty()) reasons += "; ";
    reasons += reason;
  }
  if (reasons.empty()) return prefix + refusal.message();  // the node changed since the store decided
  return prefix + reasons;
}

}  // namespace migwarden::rules
