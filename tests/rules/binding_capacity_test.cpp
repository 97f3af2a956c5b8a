// pods/binding CREATE on /validate: the binding-capacity rule reserves the pod's pending
// GPU needs on the target node in a real LocalStore, or refuses with the node's numbers.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>
#include <vector>

#include "tests/rules/rules_test_util.h"
#include "webhook/rules/binding_rules.h"

namespace migwarden::rules {
namespace {

using admission::Endpoint;
using testutil::a100Report;
using testutil::bindingReview;
using testutil::kMig1g5;
using testutil::kMig3g20;
using testutil::kNamespace;
using testutil::kPodUid;
using testutil::Outcome;

constexpr const char* kPodName = "train-x7k2p";

class BindingCapacity : public ::testing::Test {
 protected:
  // The pod CREATE validation's record: what the Binding does not carry.
  void pending(const std::string& uid, ledger::ResourceCounts needs, const std::string& name = kPodName,
               const std::string& ns = kNamespace) {
    ASSERT_TRUE(h.store().recordPending(ledger::PendingPod{uid, ns, name, std::move(needs), {}}, false).ok());
  }
  Outcome bind(const std::string& node, const std::string& uid = kPodUid, const std::string& name = kPodName,
               const std::string& ns = kNamespace, bool dryRun = false) {
    return h.run(Endpoint::kValidate, bindingReview(name, uid, node, ns, dryRun), makeBindingRules);
  }

  testutil::RulesHarness h;
};

TEST_F(BindingCapacity, ReservesThePendingNeedsOnTheTargetNode) {
  h.seed(a100Report("gpu-a"));
  pending(kPodUid, {{kMig1g5, 2}});

  Outcome o = bind("gpu-a");

  EXPECT_TRUE(o.allowed) << o.message;
  EXPECT_EQ(o.annotation("binding.node"), "gpu-a");
  EXPECT_EQ(o.annotation("binding.reserved"), "nvidia.com/mig-1g.5gb=2");
  EXPECT_EQ(o.annotation("binding.outcome"), "reserved");
  auto held = h.store().reservationOf(kPodUid);
  ASSERT_TRUE(held.has_value());
  EXPECT_EQ(held->node, "gpu-a");
  EXPECT_EQ(held->ns, kNamespace);
  EXPECT_EQ(held->name, kPodName);
  EXPECT_EQ(held->expiresAt - held->createdAt, h.deps().reservationTtl);
  EXPECT_EQ(h.store().freeSlices("gpu-a", kMig1g5), 5);
}

TEST_F(BindingCapacity, DeniesWithTheNodesNumbersWhenTooFewSlicesAreFree) {
  ledger::NodeReport report = a100Report("gpu-a");
  for (int i = 0; i < 6; ++i) {
    ledger::testutil::allocate(report, "bound-" + std::to_string(i), "busy-" + std::to_string(i), kMig1g5,
                               {ledger::testutil::migUuid("gpu-a", 0, i)});
  }
  h.seed(report);
  pending("other", {{kMig1g5, 1}}, "other");
  ASSERT_TRUE(bind("gpu-a", "other", "other").allowed);
  pending(kPodUid, {{kMig1g5, 1}});

  Outcome o = bind("gpu-a");

  EXPECT_FALSE(o.allowed);
  EXPECT_EQ(o.code, 403);
  EXPECT_EQ(o.reason, "Forbidden");
  EXPECT_EQ(o.message,
            "migwarden binding-capacity: node \"gpu-a\": nvidia.com/mig-1g.5gb: 1 requested, 0 free "
            "(7 healthy, 6 bound, 1 reserved)");
  EXPECT_EQ(o.annotation("rule.binding-capacity"), "deny");
  EXPECT_FALSE(h.store().reservationOf(kPodUid).has_value());
}

TEST_F(BindingCapacity, NamesEveryResourceTheNodeLacks) {
  h.seed(a100Report("gpu-a"));
  pending(kPodUid, {{kMig1g5, 8}, {kMig3g20, 1}});

  Outcome o = bind("gpu-a");

  EXPECT_FALSE(o.allowed);
  EXPECT_EQ(o.message,
            "migwarden binding-capacity: node \"gpu-a\": nvidia.com/mig-1g.5gb: 8 requested, 7 free "
            "(7 healthy, 0 bound, 0 reserved); nvidia.com/mig-3g.20gb: 1 requested, 0 free (the node has none)");
  EXPECT_EQ(h.store().freeSlices("gpu-a", kMig1g5), 7) << "all or nothing";
}

TEST_F(BindingCapacity, LastSliceRacedByManyPodsIsWonByExactlyOne) {
  h.seed(a100Report("gpu-a", 1, "1g.5gb", 1));
  constexpr int kPods = 16;
  for (int i = 0; i < kPods; ++i) pending("uid-" + std::to_string(i), {{kMig1g5, 1}}, "pod-" + std::to_string(i));

  std::atomic<int> allowed{0}, denied{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kPods; ++i) {
    threads.emplace_back([&, i] {
      Outcome o = bind("gpu-a", "uid-" + std::to_string(i), "pod-" + std::to_string(i));
      if (o.allowed) {
        ++allowed;
      } else if (o.code == 403 && o.message.find("1 requested, 0 free") != std::string::npos) {
        ++denied;
      }
    });
  }
  for (auto& t : threads) t.join();

  EXPECT_EQ(allowed.load(), 1);
  EXPECT_EQ(denied.load(), kPods - 1);
  EXPECT_EQ(h.store().view().reservations.size(), 1u);
  EXPECT_EQ(h.store().freeSlices("gpu-a", kMig1g5), 0);
}

TEST_F(BindingCapacity, RetriedBindingGetsTheSameAnswer) {
  h.seed(a100Report("gpu-a", 1, "1g.5gb", 1));
  pending(kPodUid, {{kMig1g5, 1}});
  Outcome first = bind("gpu-a");
  auto held = h.store().reservationOf(kPodUid);
  h.clock().advance(std::chrono::seconds(30));

  Outcome retry = bind("gpu-a");

  EXPECT_TRUE(first.allowed);
  EXPECT_TRUE(retry.allowed) << retry.message;
  EXPECT_EQ(retry.annotation("binding.outcome"), "already-reserved");
  EXPECT_EQ(retry.annotation("binding.reserved"), "nvidia.com/mig-1g.5gb=1");
  EXPECT_EQ(h.store().reservationOf(kPodUid), held) << "a retry does not extend the reservation";

  pending("late", {{kMig1g5, 1}}, "late");
  Outcome refused = bind("gpu-a", "late", "late");
  Outcome refusedAgain = bind("gpu-a", "late", "late");
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refusedAgain.message, refused.message);
}

TEST_F(BindingCapacity, PodReservedOnAnotherNodeIsAConflictNamingThatNode) {
  h.seed(a100Report("gpu-a"));
  h.seed(a100Report("gpu-b"));
  pending(kPodUid, {{kMig1g5, 1}});
  ASSERT_TRUE(bind("gpu-a").allowed);

  Outcome o = bind("gpu-b");

  EXPECT_FALSE(o.allowed);
  EXPECT_EQ(o.code, 409);
  EXPECT_EQ(o.reason, "Conflict");
  EXPECT_EQ(o.message,
            "migwarden binding-capacity: cannot bind pod to node \"gpu-b\": it already holds a reservation of "
            "nvidia.com/mig-1g.5gb=1 on node \"gpu-a\"");
  EXPECT_EQ(h.store().freeSlices("gpu-b", kMig1g5), 7);
}

TEST_F(BindingCapacity, PodTheAgentReportsOnTheTargetNodeIsAllowed) {
  pending(kPodUid, {{kMig1g5, 1}});
  ledger::NodeReport report = a100Report("gpu-a");
  ledger::testutil::allocate(report, kPodUid, kPodName, kMig1g5, {ledger::testutil::migUuid("gpu-a", 0, 0)}, "train",
                             kNamespace);
  h.seed(report);

  Outcome o = bind("gpu-a");

  EXPECT_TRUE(o.allowed) << o.message;
  EXPECT_FALSE(h.store().reservationOf(kPodUid).has_value());
}

// Once the agent reports the pod's devices the ledger forgets the pending record, so a
// later binding of that pod has nothing to reserve. The apiserver itself refuses to bind
// a pod that is already assigned to a node (409 in BindingREST), so this is not a hole.
TEST_F(BindingCapacity, PodTheAgentAlreadyReportsIsLeftToTheApiserver) {
  pending(kPodUid, {{kMig1g5, 1}});
  h.seed(a100Report("gpu-a"));
  ledger::NodeReport report = a100Report("gpu-b");
  ledger::testutil::allocate(report, kPodUid, kPodName, kMig1g5, {ledger::testutil::migUuid("gpu-b", 0, 0)}, "train",
                             kNamespace);
  h.seed(report);

  Outcome o = bind("gpu-a");

  EXPECT_TRUE(o.allowed) << o.message;
  EXPECT_EQ(o.annotation("binding.outcome"), "no-gpu-requirements");
  EXPECT_EQ(h.store().freeSlices("gpu-a", kMig1g5), 7);
}

TEST_F(BindingCapacity, BindingAnEarlierRuleRefusedReservesNothing) {
  struct RefuseAll final : admission::Rule {
    std::string_view id() const override { return "refuse-all"; }
    Status evaluate(const admission::ReviewContext&, admission::Decision& d) const override {
      d.deny(403, "Forbidden", "refused by an earlier rule");
      return Status::Ok();
    }
  };
  h.seed(a100Report("gpu-a"));
  pending(kPodUid, {{kMig1g5, 1}});
  auto factory = [](const RuleDeps& deps) {
    testutil::RuleList rules;
    rules.push_back(std::make_unique<RefuseAll>());
    for (auto& r : makeBindingRules(deps)) rules.push_back(std::move(r));
    return rules;
  };

  Outcome o = h.run(Endpoint::kValidate, bindingReview(kPodName, kPodUid, "gpu-a"), factory);

  EXPECT_FALSE(o.allowed);
  EXPECT_FALSE(h.store().reservationOf(kPodUid).has_value());
  EXPECT_EQ(h.store().freeSlices("gpu-a", kMig1g5), 7);
}

TEST_F(BindingCapacity, PodCanBindElsewhereOnceItsUnconfirmedReservationExpired) {
  h.seed(a100Report("gpu-a"));
  h.seed(a100Report("gpu-b"));
  pending(kPodUid, {{kMig1g5, 1}});
  ASSERT_TRUE(bind("gpu-a").allowed);
  h.clock().advance(h.deps().reservationTtl + std::chrono::seconds(1));
  ASSERT_TRUE(h.store().expireReservations(h.clock().now()).ok());

  Outcome o = bind("gpu-b");

  EXPECT_TRUE(o.allowed) << o.message;
  EXPECT_EQ(h.store().reservationOf(kPodUid)->node, "gpu-b");
}

TEST_F(BindingCapacity, SlicesTheAgentConfirmedStayTakenForLaterBindings) {
  h.seed(a100Report("gpu-a", 1, "1g.5gb", 2));
  pending(kPodUid, {{kMig1g5, 1}});
  ASSERT_TRUE(bind("gpu-a").allowed);
  ledger::NodeReport report = a100Report("gpu-a", 1, "1g.5gb", 2, "550.54.15", /*sequence=*/2);
  ledger::testutil::allocate(report, kPodUid, kPodName, kMig1g5, {ledger::testutil::migUuid("gpu-a", 0, 0)}, "train",
                             kNamespace);
  h.seed(report);
  pending("second", {{kMig1g5, 2}}, "second");

  Outcome o = bind("gpu-a", "second", "second");

  EXPECT_FALSE(o.allowed);
  EXPECT_EQ(o.message,
            "migwarden binding-capacity: node \"gpu-a\": nvidia.com/mig-1g.5gb: 2 requested, 1 free "
            "(2 healthy, 1 bound, 0 reserved)");
}

TEST_F(BindingCapacity, ConflictIsNotDowngradedByAWarnOverride) {
  h.overrideAction(std::string(kRuleBindingCapacity), policy::Action::kWarn);
  h.seed(a100Report("gpu-a"));
  h.seed(a100Report("gpu-b"));
  pending(kPodUid, {{kMig1g5, 1}});
  ASSERT_TRUE(bind("gpu-a").allowed);

  EXPECT_EQ(bind("gpu-b").code, 409);
}

TEST_F(BindingCapacity, NodeInMigReconfigurationIsDenied) {
  ledger::NodeReport report = a100Report("gpu-a");
  report.migConfigState = "pending";
  h.seed(report);
  pending(kPodUid, {{kMig1g5, 1}});

  Outcome o = bind("gpu-a");

  EXPECT_FALSE(o.allowed);
  EXPECT_EQ(o.code, 403);
  EXPECT_EQ(o.message,
            "migwarden binding-capacity: node \"gpu-a\": MIG reconfiguration in progress (migConfigState "
            "\"pending\"); no GPU pods are bound here until it reports \"success\"");
  EXPECT_FALSE(h.store().reservationOf(kPodUid).has_value());
}

TEST_F(BindingCapacity, NodeWhoseMigConfigurationFailedIsDenied) {
  ledger::NodeReport report = a100Report("gpu-a");
  report.migConfigState = "failed";
  h.seed(report);
  pending(kPodUid, {{kMig1g5, 1}});

  Outcome o = bind("gpu-a");

  EXPECT_FALSE(o.allowed);
  EXPECT_NE(o.message.find("MIG configuration not ready (migConfigState \"failed\")"), std::string::npos)
      << o.message;
}

TEST_F(BindingCapacity, ResourceInConflictOnTheNodeIsDenied) {
  ledger::NodeReport report = a100Report("gpu-a");
  const std::string device = ledger::testutil::migUuid("gpu-a", 0, 0);
  ledger::testutil::allocate(report, "u1", "p1", kMig1g5, {device});
  ledger::testutil::allocate(report, "u2", "p2", kMig1g5, {device});
  h.seed(report);
  ASSERT_FALSE(h.store().conflicts().empty());
  pending(kPodUid, {{kMig1g5, 1}});

  Outcome o = bind("gpu-a");

  EXPECT_FALSE(o.allowed);
  EXPECT_EQ(o.code, 403);
  EXPECT_EQ(o.message,
            "migwarden binding-capacity: node \"gpu-a\": nvidia.com/mig-1g.5gb: conflicting allocations reported "
            "(see `migwardenctl ledger show`); no new pods until the conflict is resolved");
}

TEST_F(BindingCapacity, NodeTheAgentNeverReportedIsDenied) {
  h.seed(a100Report("gpu-a"));
  pending(kPodUid, {{kMig1g5, 1}});

  Outcome o = bind("gpu-unknown");

  EXPECT_FALSE(o.allowed);
  EXPECT_EQ(o.code, 403);
  EXPECT_EQ(o.message,
            "migwarden binding-capacity: node \"gpu-unknown\": the migwarden agent has not reported this node, so "
            "its GPU capacity cannot be checked (pod needs nvidia.com/mig-1g.5gb=1)");
}

TEST_F(BindingCapacity, BeforeAnyGpuNodeReportedAnUnknownNodeOnlyWarns) {
  pending(kPodUid, {{kMig1g5, 1}});  // a fresh install: no agent has reported yet

  Outcome o = bind("gpu-unknown");

  EXPECT_TRUE(o.allowed);
  EXPECT_TRUE(o.hasWarningContaining("no GPU node reported yet")) << o.message;
}

TEST_F(BindingCapacity, PodWithoutPendingRequirementsIsAllowed) {
  h.seed(a100Report("gpu-a"));

  Outcome o = bind("cpu-node-1");

  EXPECT_TRUE(o.allowed);
  EXPECT_EQ(o.annotation("binding.outcome"), "no-gpu-requirements");
  EXPECT_TRUE(o.warnings.empty());
  EXPECT_TRUE(h.store().view().reservations.empty());
}

TEST_F(BindingCapacity, BindingWithoutPodUidIsAllowedWithAWarning) {
  h.seed(a100Report("gpu-a"));
  pending(kPodUid, {{kMig1g5, 1}});

  Outcome o = bind("gpu-a", "");

  EXPECT_TRUE(o.allowed);
  EXPECT_EQ(o.annotation("binding.outcome"), "no-pod-uid");
  EXPECT_TRUE(o.hasWarningContaining("has no metadata.uid")) << ::testing::PrintToString(o.warnings);
  EXPECT_TRUE(h.store().view().reservations.empty());
}

TEST_F(BindingCapacity, DryRunGivesTheSameAnswerWithoutReserving) {
  h.seed(a100Report("gpu-a", 1, "1g.5gb", 1));
  pending(kPodUid, {{kMig1g5, 1}});
  pending("greedy", {{kMig1g5, 2}}, "greedy");

  Outcome fits = bind("gpu-a", kPodUid, kPodName, kNamespace, /*dryRun=*/true);
  Outcome tooBig = bind("gpu-a", "greedy", "greedy", kNamespace, /*dryRun=*/true);

  EXPECT_TRUE(fits.allowed) << fits.message;
  EXPECT_EQ(fits.annotation("binding.outcome"), "dry-run");
  EXPECT_FALSE(tooBig.allowed);
  EXPECT_NE(tooBig.message.find("2 requested, 1 free"), std::string::npos) << tooBig.message;
  EXPECT_FALSE(h.store().reservationOf(kPodUid).has_value());
  EXPECT_EQ(h.store().freeSlices("gpu-a", kMig1g5), 1);
}

TEST_F(BindingCapacity, ReadOnlyLedgerFailsClosedWith503) {
  h.seed(a100Report("gpu-a"));
  pending(kPodUid, {{kMig1g5, 1}});
  h.makeLedgerReadOnly();

  Outcome o = bind("gpu-a");

  EXPECT_FALSE(o.allowed);
  EXPECT_EQ(o.code, 503);
  EXPECT_EQ(o.reason, "ServiceUnavailable");
  EXPECT_NE(o.message.find("the GPU ledger cannot record reservations right now"), std::string::npos) << o.message;
}

TEST_F(BindingCapacity, ReadOnlyLedgerFailsClosedEvenInAWarnNamespace) {
  h.overrideAction(std::string(kRuleBindingCapacity), policy::Action::kWarn);
  h.seed(a100Report("gpu-a"));
  pending(kPodUid, {{kMig1g5, 1}});
  h.makeLedgerReadOnly();

  EXPECT_EQ(bind("gpu-a").code, 503);
}

TEST_F(BindingCapacity, WarnOverrideNamespaceIsAllowedWithAWarning) {
  h.overrideAction(std::string(kRuleBindingCapacity), policy::Action::kWarn);
  h.seed(a100Report("gpu-a", 1, "1g.5gb", 1));
  pending(kPodUid, {{kMig1g5, 2}});

  Outcome o = bind("gpu-a");

  EXPECT_TRUE(o.allowed);
  EXPECT_TRUE(o.hasWarningContaining(
      "migwarden binding-capacity: node \"gpu-a\": nvidia.com/mig-1g.5gb: 2 requested, 1 free"))
      << ::testing::PrintToString(o.warnings);
  EXPECT_EQ(o.annotation("rule.binding-capacity"), "warn");
  EXPECT_EQ(o.annotation("binding.outcome"), "refused");
  EXPECT_FALSE(h.store().reservationOf(kPodUid).has_value());
}

TEST_F(BindingCapacity, AuditOverrideNamespaceIsAllowedSilently) {
  h.overrideAction(std::string(kRuleBindingCapacity), policy::Action::kAudit);
  pending(kPodUid, {{kMig1g5, 1}});

  Outcome o = bind("gpu-unknown");

  EXPECT_TRUE(o.allowed);
  EXPECT_TRUE(o.warnings.empty());
  EXPECT_EQ(o.annotation("rule.binding-capacity"), "audit");
}

TEST_F(BindingCapacity, IgnoredNamespaceIsNotChecked) {
  pending(kPodUid, {{kMig1g5, 1}}, kPodName, "kube-system");

  Outcome o = bind("gpu-unknown", kPodUid, kPodName, "kube-system");

  EXPECT_TRUE(o.allowed);
  EXPECT_TRUE(o.annotations.empty());
  EXPECT_TRUE(h.store().view().reservations.empty());
}

TEST_F(BindingCapacity, PodCreateAndMutateRequestsAreLeftToOtherRules) {
  h.seed(a100Report("gpu-a"));
  pending(kPodUid, {{kMig1g5, 1}});

  Outcome podCreate = h.run(Endpoint::kValidate, testutil::podReview(testutil::fixtureGpuPod()), makeBindingRules);
  Outcome mutateBinding = h.run(Endpoint::kMutate, bindingReview(kPodName, kPodUid, "gpu-a"), makeBindingRules);

  EXPECT_TRUE(podCreate.allowed);
  EXPECT_TRUE(podCreate.annotations.empty());
  EXPECT_TRUE(mutateBinding.allowed);
  EXPECT_TRUE(h.store().view().reservations.empty());
}

TEST_F(BindingCapacity, BindingWithoutTargetIsRefusedNamingTheField) {
  testutil::json review = bindingReview(kPodName, kPodUid, "gpu-a");
  review["request"]["object"].erase("target");

  Outcome o = h.run(Endpoint::kValidate, review, makeBindingRules);

  EXPECT_FALSE(o.allowed);
  EXPECT_EQ(o.code, 400);
  EXPECT_NE(o.message.find("request.object.target: required"), std::string::npos) << o.message;
}

}  // namespace
}  // namespace migwarden::rules
