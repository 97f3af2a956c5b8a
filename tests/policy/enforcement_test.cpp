// deny | warn | audit per rule, overridden per namespace by name or label selector.
#include <gtest/gtest.h>

#include "tests/policy/policy_test_util.h"

namespace migwarden::policy {
namespace {

std::shared_ptr<const Policy> policyWith(const std::string& enforcement) {
  std::string text = testing::minimalSource();
  auto pos = text.find("\"enforcement\": {\"rules\": [{\"id\": \"cuda-driver-compatible\"}]}");
  text.replace(pos, std::string("\"enforcement\": {\"rules\": [{\"id\": \"cuda-driver-compatible\"}]}").size(), enforcement);
  auto r = testing::compileText(text);
  EXPECT_TRUE(r.policy) << formatDiagnostics(r.errors);
  return r.policy;
}

constexpr const char* kEnforcement = R"("enforcement": {
    "defaultAction": "deny",
    "rules": [{"id": "cuda-driver-compatible"}, {"id": "privileged-gpu", "action": "audit"}, {"id": "cuda-label-conflict", "action": "warn"}],
    "overrides": [
      {"rules": ["cuda-driver-compatible"], "action": "warn", "namespaces": ["ml-staging"]},
      {"action": "audit", "namespaceSelector": {"matchLabels": {"migwarden.io/enforcement": "audit", "team": "research"}}},
      {"action": "warn", "namespaces": ["sandbox"]}
    ],
    "ignoredNamespaces": ["kube-system"]
  })";

TEST(Enforcement, RuleWithoutActionUsesTheDefault) {
  auto p = policyWith(kEnforcement);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->actionFor("cuda-driver-compatible", "prod", {}), Action::kDeny);
  EXPECT_EQ(p->resolveAction("cuda-driver-compatible", "prod", {}).because, "enforcement.defaultAction");
}

TEST(Enforcement, RuleActionOverridesTheDefault) {
  auto p = policyWith(kEnforcement);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->actionFor("privileged-gpu", "prod", {}), Action::kAudit);
  EXPECT_EQ(p->actionFor("cuda-label-conflict", "prod", {}), Action::kWarn);
}

TEST(Enforcement, NamespaceOverrideByNameAppliesOnlyToItsRules) {
  auto p = policyWith(kEnforcement);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->actionFor("cuda-driver-compatible", "ml-staging", {}), Action::kWarn);
  EXPECT_EQ(p->actionFor("privileged-gpu", "ml-staging", {}), Action::kAudit);
}

TEST(Enforcement, LabelSelectorNeedsEveryLabel) {
  auto p = policyWith(kEnforcement);
  ASSERT_TRUE(p);
  Labels both{{"migwarden.io/enforcement", "audit"}, {"team", "research"}, {"other", "x"}};
  Labels one{{"migwarden.io/enforcement", "audit"}};
  EXPECT_EQ(p->actionFor("cuda-driver-compatible", "research-1", both), Action::kAudit);
  EXPECT_EQ(p->actionFor("cuda-driver-compatible", "research-1", one), Action::kDeny);
}

TEST(Enforcement, FirstMatchingOverrideWins) {
  auto p = policyWith(kEnforcement);
  ASSERT_TRUE(p);
  Labels audit{{"migwarden.io/enforcement", "audit"}, {"team", "research"}};
  // "sandbox" matches override 2 by name, but override 1 by labels comes first.
  EXPECT_EQ(p->actionFor("privileged-gpu", "sandbox", audit), Action::kAudit);
  auto d = p->resolveAction("cuda-label-conflict", "sandbox", {});
  EXPECT_EQ(d.action, Action::kWarn);
  EXPECT_EQ(d.because, "enforcement.overrides[2] (namespaces)");
}

TEST(Enforcement, UnknownRuleGetsTheDefaultAction) {
  auto p = policyWith(kEnforcement);
  ASSERT_TRUE(p);
  EXPECT_EQ(p->actionFor("not-a-rule", "prod", {}), Action::kDeny);
}

TEST(Enforcement, IgnoredNamespaces) {
  auto p = policyWith(kEnforcement);
  ASSERT_TRUE(p);
  EXPECT_TRUE(p->isIgnoredNamespace("kube-system"));
  EXPECT_FALSE(p->isIgnoredNamespace("kube-system2"));
}

TEST(Enforcement, BuiltinDefaultsDenyAndOptInWarnByLabel) {
  auto p = testing::builtin();
  ASSERT_TRUE(p);
  EXPECT_EQ(p->actionFor("cuda-driver-compatible", "team-a", {}), Action::kDeny);
  EXPECT_EQ(p->actionFor("cuda-driver-compatible", "team-a", {{"migwarden.io/enforcement", "warn"}}), Action::kWarn);
  EXPECT_EQ(p->actionFor("cuda-label-conflict", "team-a", {}), Action::kWarn);
  EXPECT_TRUE(p->isIgnoredNamespace("kube-system"));
}

}  // namespace
}  // namespace migwarden::policy
