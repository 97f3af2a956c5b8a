#include "webhook/audit/query.h"

#include <algorithm>

namespace migwarden::audit {

bool matches(const AuditRecord& r, const AuditFilter& f) {
  if (f.since && r.time < *f.since) return false;
  if (f.until && r.time >= *f.until) return false;
  if (!f.namespace_.empty() && r.namespace_ != f.namespace_) return false;
  if (!f.pod.empty() && r.name != f.pod && r.podUid != f.pod) return false;
  if (!f.node.empty() && r.node != f.node) return false;
  if (!f.decision.empty() && decisionName(r.decision) != f.decision && ledgerEventName(r.event) != f.decision)
    return false;
  if (!f.rule.empty() &&
      std::none_of(r.rules.begin(), r.rules.end(), [&](const RuleHit& hit) { return hit.id == f.rule; }))
    return false;
  return true;
}

}  // namespace migwarden::audit
