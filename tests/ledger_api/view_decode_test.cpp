// decodeLedgerView reads back exactly what encodeLedgerView writes (the GET list body).
#include <gtest/gtest.h>

#include "tests/ledger/ledger_test_util.h"
#include "webhook/ledger/api/view_decode.h"
#include "webhook/ledger/view_json.h"

namespace migwarden::ledger::testutil {
namespace {

void expectSameView(const LedgerView& a, const LedgerView& b) {
  // Re-encoding compares every field the wire format carries.
  EXPECT_EQ(encodeLedgerView(a), encodeLedgerView(b));
}

TEST(LedgerViewDecode, RoundTripsAViewWithEverySection) {
  StoreFixture f;
  NodeReport report = a100Node("gpu-a");
  allocate(report, "uid-1", "train-1", kMig1g, {migUuid("gpu-a", 0, 0)});
  allocate(report, "uid-2", "train-2", kMig1g, {migUuid("gpu-a", 0, 0)});
  ASSERT_TRUE(f.store().applyNodeReport(report).ok());
  ASSERT_TRUE(f.store().applyNodeReport(a100Node("gpu-b")).ok());
  ASSERT_TRUE(f.store().recordPending(PendingPod{"uid-7", "ml", "wait", {{kMig1g, 1}}, f.clock().now()}, false).ok());
  ASSERT_TRUE(f.store().reserve(reserveRequest("uid-9", "gpu-b", 2)).ok());
  const LedgerView view = f.store().view();
  ASSERT_FALSE(view.conflicts.empty());

  auto decoded = decodeLedgerView(encodeLedgerView(view));
  ASSERT_TRUE(decoded.ok()) << decoded.status().toString();
  expectSameView(*decoded, view);
  EXPECT_EQ(decoded->reservations[0].expiresAt, view.reservations[0].expiresAt);
}

TEST(LedgerViewDecode, ErrorsNameTheField) {
  auto bad = decodeLedgerView(R"({"nodes":[{"name":"a","resources":[{"resource":"r","free":"x"}]}]})");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("nodes[0].resources[0].free"), std::string::npos) << bad.status().toString();
  auto kind = decodeLedgerView(R"({"conflicts":[{"kind":"made_up"}]})");
  ASSERT_FALSE(kind.ok());
  EXPECT_NE(kind.status().message().find("conflicts[0].kind"), std::string::npos) << kind.status().toString();
  EXPECT_FALSE(decodeLedgerView("not json").ok());
  EXPECT_FALSE(decodeLedgerView("[]").ok());
}

}  // namespace
}  // namespace migwarden::ledger::testutil
