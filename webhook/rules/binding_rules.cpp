#include "webhook/rules/binding_rules.h"

#include "webhook/rules/validate_subject.h"

#include <spdlog/spdlog.h>

#include "webhook/admission/sanitize.h"
#include "webhook/rules/binding_messages.h"
#include "webhook/rules/enforcement.h"

namespace migwarden::rules {

namespace {

using admission::Decision;
using admission::ReviewContext;

constexpr size_t kMaxNodeNameChars = 253;

std::string_view outcomeName(ledger::ReserveOutcome::Kind kind, bool dryRun) {
  switch (kind) {
    case ledger::ReserveOutcome::Kind::kReserved:
      return dryRun ? "dry-run" : "reserved";
    case ledger::ReserveOutcome::Kind::kAlreadyReserved:
      return "already-reserved";
    case ledger::ReserveOutcome::Kind::kAlreadyBound:
      return "already-bound";
  }
  return "reserved";
}

// binding-capacity: reserve the pod's pending needs on the target node, or refuse.
class BindingCapacityRule final : public admission::Rule {
 public:
  explicit BindingCapacityRule(const RuleDeps& deps) : deps_(deps) {}

  std::string_view id() const override { return kRuleBindingCapacity; }

  Status evaluate(const ReviewContext& context, Decision& decision) const override {
    const admission::AdmissionRequest& request = context.request();
    if (context.endpoint() != admission::Endpoint::kValidate || !context.isBinding() ||
        request.operation != admission::Operation::kCreate) {
      return Status::Ok();
    }
    std::shared_ptr<const policy::Policy> policy = deps_.policies.current();
    if (!policy) return Status::FailedPrecondition("no policy loaded");
    if (policy->isIgnoredNamespace(request.namespace_)) return Status::Ok();
    // Another rule already refused this binding: holding slices for it would only keep
    // them from other pods until the reservation expires.
    if (!decision.allowed) return Status::Ok();

    Result<const admission::Binding*> binding = context.binding();
    if (!binding.ok()) return binding.status();
    const std::string& podUid = (*binding)->metadata.uid;
    const std::string& node = (*binding)->target.name;
    // Node names are at most 253 characters (DNS subdomain); cut whatever else arrives.
    decision.annotate(kAnnotationBindingNode, admission::sanitizeText(node, kMaxNodeNameChars));

    if (podUid.empty()) {
      // The apiserver always sends the pod's uid in a scheduler's binding; a client that
      // omits it leaves nothing to look the pod up by (the Store is keyed by uid).
      decision.annotate(kAnnotationBindingOutcome, "no-pod-uid");
      decision.warn("migwarden " + std::string(kRuleBindingCapacity) +
                    ": the binding has no metadata.uid, so GPU slices on node " + admission::quoteValue(node) +
                    " were not reserved for this pod");
      return Status::Ok();
    }
    std::optional<ledger::PendingPod> pending = deps_.ledger.pendingOf(podUid);
    if (!pending) {
      // Not a GPU pod as far as the ledger knows (no GPU requests, or created before
      // migwarden was installed): nothing to reserve.
      decision.annotate(kAnnotationBindingOutcome, "no-gpu-requirements");
      spdlog::debug("binding of pod {}/{} ({}) to {}: no pending GPU requirements", request.namespace_,
                    request.name, podUid, node);
      return Status::Ok();
    }
    return reserve(context, *policy, *pending, node, decision);
  }

 private:
  Status reserve(const ReviewContext& context, const policy::Policy& policy, const ledger::PendingPod& pending,
                 const std::string& node, Decision& decision) const {
    const bool dryRun = context.request().dryRun;
    ledger::ReserveRequest request;
    request.podUid = pending.podUid;
    request.node = node;  // ns, name and needs come from the pending record
    request.ttl = deps_.reservationTtl;
    request.dryRun = dryRun;
    Result<ledger::ReserveOutcome> outcome = deps_.ledger.reserve(request);
    if (outcome.ok()) {
      decision.annotate(kAnnotationBindingReserved, formatCounts(outcome->reservation.needs));
      decision.annotate(kAnnotationBindingOutcome, std::string(outcomeName(outcome->kind, dryRun)));
      return Status::Ok();
    }

    const Status& error = outcome.status();
    const std::string rule(kRuleBindingCapacity);
    switch (error.code()) {
      case StatusCode::kNotFound:
      case StatusCode::kFailedPrecondition:
      case StatusCode::kResourceExhausted: {
        std::optional<ledger::NodeSummary> summary;
        if (auto n = deps_.ledger.node(node)) summary = std::move(n->second);
        decision.annotate(kAnnotationBindingOutcome, "refused");
        std::string message = describeRefusal(node, pending.needs, error, summary);
        if (error.code() == StatusCode::kNotFound) {
          // A node the agent never reported. While no GPU node has reported at all (a fresh
          // install, agents not rolled out yet) this only warns, like the feasibility rules:
          // a new install must not block GPU scheduling.
          bool knowsGpuNodes = false;
          for (const auto& n : deps_.ledger.view().nodes) knowsGpuNodes = knowsGpuNodes || n.gpuCount > 0;
          reportFeasibility(policy, kRuleBindingCapacity, knowsGpuNodes, context, decision, std::move(message));
          return Status::Ok();
        }
        report(policy, kRuleBindingCapacity, context, decision, std::move(message));
        return Status::Ok();
      }
      case StatusCode::kAlreadyExists: {
        // The pod already holds slices elsewhere. Not subject to warn/audit: letting it
        // through would count one pod's GPUs on two nodes.
        std::string elsewhere = error.message();
        if (auto held = deps_.ledger.reservationOf(pending.podUid)) {
          elsewhere = "it already holds a reservation of " + formatCounts(held->needs) + " on node " +
                      admission::quoteValue(held->node);
        }
        decision.annotate(kAnnotationBindingOutcome, "conflict");
        decision.deny(409, "Conflict",
                      "migwarden " + rule + ": cannot bind pod to node " + admission::quoteValue(node) + ": " + elsewhere);
        return Status::Ok();
      }
      case StatusCode::kIOError:
      case StatusCode::kUnavailable:
        // Fail closed whatever the enforcement action: a binding we cannot record could
        // overcommit the node's slices.
        decision.annotate(kAnnotationBindingOutcome, "ledger-unavailable");
        decision.deny(503, "ServiceUnavailable",
                      "migwarden " + rule + ": the GPU ledger cannot record reservations right now (" +
                          error.message() + "); the scheduler will retry");
        return Status::Ok();
      default:
        return error;  // the pipeline refuses (400 for InvalidArgument, else 500)
    }
  }

  RuleDeps deps_;  // copies of references: what they refer to must outlive the rule
};

}  // namespace

std::vector<std::unique_ptr<const admission::Rule>> makeBindingRules(const RuleDeps& deps) {
  std::vector<std::unique_ptr<const admission::Rule>> rules;
  rules.push_back(std::make_unique<BindingCapacityRule>(deps));
  return rules;
}

}  // namespace migwarden::rules
