#include "webhook/rules/validate_ledger.h"

#include <spdlog/spdlog.h>

#include "webhook/rules/enforcement.h"
#include "webhook/rules/validate_subject.h"

namespace migwarden::rules {
namespace {

void denyUnavailable(admission::Decision& decision, const Status& status) {
  decision.deny(503, "ServiceUnavailable",
                "migwarden: the GPU allocation ledger cannot record this pod (" + status.message() +
                    "); GPU pods are refused until the ledger is writable again");
}

class PodLedger final : public admission::Rule {
 public:
  explicit PodLedger(const RuleDeps& deps) : deps_(deps) {}
  std::string_view id() const override { return "pod-ledger"; }

  Status evaluate(const admission::ReviewContext& context, admission::Decision& decision) const override {
    const admission::AdmissionRequest& request = context.request();
    if (context.endpoint() != admission::Endpoint::kValidate) return Status::Ok();
    if (context.isPod() && request.operation == admission::Operation::kDelete) {
      releaseDeleted(context);
      return Status::Ok();
    }
    auto subject = subjectFor(context, deps_.policies);
    if (!subject.ok() || !*subject || (*subject)->ephemeralUpdate || !(*subject)->gpuPod()) return Status::Ok();
    const ValidationSubject& s = **subject;
    const ledger::ResourceCounts& needs = s.gpu->podNeeds;
    if (needs.empty()) return Status::Ok();
    decision.annotate("slices", formatNeeds(needs));
    if (!decision.allowed) return Status::Ok();  // the pod will not exist: hold nothing for it

    const admission::ObjectMeta& meta = s.pod->metadata;
    if (meta.uid.empty()) {
      decision.deny(400, "BadRequest",
                    "migwarden: request.object.metadata.uid: required for a GPU pod (the ledger records the pod's "
                    "slices by uid; the apiserver sets it before validating admission)");
      return Status::Ok();
    }
    std::string ns = meta.namespace_.empty() ? request.namespace_ : meta.namespace_;
    std::string name = meta.name.empty() ? request.name : meta.name;
    ledger::PendingPod pending{meta.uid, ns, name, needs, deps_.clock.now()};
    if (Status st = deps_.ledger.recordPending(pending, request.dryRun); !st.ok()) {
      if (st.code() == StatusCode::kIOError || st.code() == StatusCode::kUnavailable) {
        denyUnavailable(decision, st);
        return Status::Ok();
      }
      return st;
    }
    if (!s.pod->nodeName.empty()) reserveOnNode(context, s, pending, decision);
    return Status::Ok();
  }

 private:
  void reserveOnNode(const admission::ReviewContext& context, const ValidationSubject& s,
                     const ledger::PendingPod& pending, admission::Decision& decision) const {
    ledger::ReserveRequest r;
    r.podUid = pending.podUid;
    r.ns = pending.ns;
    r.name = pending.name;
    r.node = s.pod->nodeName;
    r.needs = pending.needs;
    r.ttl = deps_.reservationTtl;
    r.dryRun = context.request().dryRun;
    auto outcome = deps_.ledger.reserve(r);
    if (outcome.ok()) return;
    const Status& st = outcome.status();
    if (st.code() == StatusCode::kIOError || st.code() == StatusCode::kUnavailable) {
      denyUnavailable(decision, st);
      return;
    }
    report(*s.policy, kBindingCapacityRule, context, decision,
           "spec.nodeName \"" + r.node + "\": cannot reserve " + formatNeeds(r.needs) + ": " + st.message());
    // Denied, the pod never exists; under warn/audit it runs without a reservation and
    // the scheduler never binds it. Either way its pending record must not linger.
    if (!r.dryRun) {
      auto released = deps_.ledger.release(r.podUid);
      if (!released.ok())
        spdlog::warn("ledger: dropping the pending record of pod {} failed: {}", r.podUid,
                     released.status().toString());
    }
  }

  void releaseDeleted(const admission::ReviewContext& context) const {
    auto old = context.oldPod();
    if (!old.ok() || (*old)->metadata.uid.empty() || context.request().dryRun) return;
    auto released = deps_.ledger.release((*old)->metadata.uid);
    // Never deny a DELETE: expiry and the agent's next report free the slices anyway.
    if (!released.ok())
      spdlog::warn("ledger release of deleted pod {}/{} ({}) failed: {}", context.request().namespace_,
                   (*old)->metadata.name, (*old)->metadata.uid, released.status().toString());
  }

  const RuleDeps deps_;
};

}  // namespace

std::unique_ptr<const admission::Rule> makePodLedgerRule(const RuleDeps& deps) {
  return std::make_unique<PodLedger>(deps);
}

}  // namespace migwarden::rules
