// The pure parts of the etcd backend: endpoint parsing, key layout, value and message
// encodings. No etcd needed.
#include <gtest/gtest.h>

#include "tests/ledger/ledger_test_util.h"
#include "webhook/ledger/etcd/dump_json.h"
#include "webhook/ledger/etcd/etcd_endpoint.h"
#include "webhook/ledger/etcd/etcd_json.h"
#include "webhook/ledger/etcd/layout.h"

namespace migwarden::ledger::etcd {
namespace {

TEST(EtcdEndpoints, ParsesACommaListOfHttpAndHttpsUrls) {
  auto eps = parseEndpoints("http://127.0.0.1:2379, https://etcd-0.etcd:2379,https://[::1]:2380/");
  ASSERT_TRUE(eps.ok()) << eps.status().toString();
  ASSERT_EQ(eps->size(), 3u);
  EXPECT_FALSE((*eps)[0].tls);
  EXPECT_EQ((*eps)[0].host, "127.0.0.1");
  EXPECT_EQ((*eps)[1].host, "etcd-0.etcd");
  EXPECT_TRUE((*eps)[1].tls);
  EXPECT_EQ((*eps)[2].host, "::1");
  EXPECT_EQ((*eps)[2].port, "2380");
  EXPECT_EQ((*eps)[2].url(), "https://[::1]:2380");
}

TEST(EtcdEndpoints, RejectsWhatIsNotAnEndpointNamingIt) {
  for (const char* bad : {"", "etcd:2379", "http://etcd", "http://etcd:0", "http://etcd:2379/v3", "unix:///x"}) {
    auto eps = parseEndpoints(bad);
    ASSERT_FALSE(eps.ok()) << bad;
    EXPECT_NE(eps.status().message().find("--etcd-endpoints"), std::string::npos) << eps.status().message();
  }
}

TEST(EtcdLayout, NamesAndRecognisesTheLedgersKeys) {
  Layout layout("/migwarden/");
  EXPECT_EQ(layout.node("n1"), "/migwarden/nodes/n1");
  EXPECT_EQ(layout.parse("/migwarden/reservations/n1").kind, Layout::Kind::kReservations);
  EXPECT_EQ(layout.parse("/migwarden/holds/uid-1").name, "uid-1");
  EXPECT_EQ(layout.parse("/migwarden/pending/uid-1").kind, Layout::Kind::kPending);
  EXPECT_EQ(layout.parse("/other/nodes/n1").kind, Layout::Kind::kOther);
  EXPECT_EQ(layout.parse("/migwarden/nodes/").kind, Layout::Kind::kOther);
  EXPECT_TRUE(checkPrefix("/migwarden/").ok());
  EXPECT_FALSE(checkPrefix("/migwarden").ok());
}

TEST(EtcdJson, ThePrefixEndCoversExactlyThePrefix) {
  EXPECT_EQ(prefixEnd("/migwarden/"), "/migwarden0");
  EXPECT_EQ(prefixEnd(std::string("a\xff", 2)), "b");
}

TEST(EtcdJson, ReservationListsRoundTrip) {
  std::map<std::string, Reservation> list;
  list["u1"] = Reservation{"u1", "ns", "p", "n1", {{"nvidia.com/mig-1g.5gb", 2}},
                           TimePoint(std::chrono::seconds(10)), TimePoint(std::chrono::seconds(310))};
  list["u2"] = Reservation{"u2", "", "", "n1", {{"nvidia.com/gpu", 1}}, {}, {}};
  auto decoded = decodeReservationList(encodeReservationList(list));
  ASSERT_TRUE(decoded.ok()) << decoded.status().toString();
  EXPECT_EQ(*decoded, list);
  EXPECT_FALSE(decodeReservationList("{}").ok());
  EXPECT_FALSE(decodeReservationList("[{\"podUid\":1}]").ok());
}

TEST(EtcdJson, WatchLinesDecodeEventsCompactionAndErrors) {
  auto events = decodeWatch(
      R"({"result":{"header":{"revision":"9"},"events":[{"kv":{"key":"L2EvYg==","mod_revision":"8","value":"eA=="}},)"
      R"({"type":"DELETE","kv":{"key":"L2EvYw==","mod_revision":"9"}}]}})");
  ASSERT_TRUE(events.ok()) << events.status().toString();
  ASSERT_EQ(events->events.size(), 2u);
  EXPECT_EQ(events->events[0].kv.key, "/a/b");
  EXPECT_EQ(events->events[0].kv.value, "x");
  EXPECT_FALSE(events->events[0].deleted);
  EXPECT_TRUE(events->events[1].deleted);
  EXPECT_EQ(events->revision, 9);
  auto compacted = decodeWatch(R"({"result":{"header":{},"canceled":true,"compact_revision":"5"}})");
  ASSERT_TRUE(compacted.ok());
  EXPECT_EQ(compacted->compactRevision, 5);
  EXPECT_FALSE(decodeWatch(R"({"error":{"grpc_code":14,"message":"unavailable"}})").ok());
}

TEST(EtcdJson, AFailedTransactionReturnsTheRangesOfItsFailureBranch) {
  auto txn = decodeTxn(
      R"({"header":{"revision":"7"},"responses":[{"response_range":{"kvs":[{"key":"L20vYQ==","mod_revision":"6"}]}},)"
      R"({"response_range":{}}]})");
  ASSERT_TRUE(txn.ok()) << txn.status().toString();
  EXPECT_FALSE(txn->succeeded);
  EXPECT_EQ(txn->revision, 7);
  ASSERT_EQ(txn->ranges.size(), 2u);
  EXPECT_EQ(txn->ranges[0][0].modRevision, 6);
  EXPECT_TRUE(txn->ranges[1].empty());
}

TEST(LedgerDumpJson, RoundTripsAndNamesBadFields) {
  LedgerDump dump;
  dump.nodes.push_back(testutil::a100Node("n1", 1, 2));
  dump.reservations.push_back(Reservation{"u1", "ns", "p", "n1", {{"nvidia.com/mig-1g.5gb", 1}}, {}, {}});
  dump.pending.push_back(PendingPod{"u2", "ns", "q", {{"nvidia.com/mig-1g.5gb", 1}}, {}});
  auto decoded = decodeLedgerDump(encodeLedgerDump(dump));
  ASSERT_TRUE(decoded.ok()) << decoded.status().toString();
  EXPECT_EQ(decoded->nodes, dump.nodes);
  EXPECT_EQ(decoded->reservations, dump.reservations);
  EXPECT_EQ(decoded->pending, dump.pending);
  auto wrong = decodeLedgerDump(R"({"format":"migwarden.ledger.export/v1","pending":[{"podUid":"x"}]})");
  ASSERT_FALSE(wrong.ok());
  EXPECT_NE(wrong.status().message().find("pending[0]"), std::string::npos) << wrong.status().message();
  EXPECT_FALSE(decodeLedgerDump(R"({"nodes":[]})").ok());
}

}  // namespace
}  // namespace migwarden::ledger::etcd
