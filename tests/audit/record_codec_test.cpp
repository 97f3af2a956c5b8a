// Canonical JSON of audit records: field order, omissions, escaping, and the reverse parse.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/audit/audit_test_util.h"
#include "webhook/audit/chain.h"
#include "webhook/audit/record_codec.h"
#include "webhook/audit/rfc3339.h"

namespace migwarden::audit {
namespace {

using namespace std::chrono;

system_clock::time_point at(int64_t micros) { return system_clock::time_point(microseconds(micros)); }

TEST(AuditRecordCodec, EveryFieldSurvivesTheRoundTrip) {
  AuditRecord r = testutil::deniedPod("train-0");
  r.time = at(1'764'232'384'123'456);
  r.details = {{"k", "v"}};
  r.event = LedgerEvent::kConflict;
  const std::string line = chainLine(ChainHasher(), 7, kGenesisHash, encodeRecordBody(r), nullptr);
  auto decoded = decodeRecordLine(line);
  ASSERT_TRUE(decoded.ok()) << decoded.status().toString();
  EXPECT_EQ(decoded->seq, 7u);
  EXPECT_EQ(decoded->prev, kGenesisHash);
  EXPECT_EQ(decoded->record, r);
}

TEST(AuditRecordCodec, LedgerRecordsRoundTripToo) {
  AuditRecord r = testutil::reservation("uid-9", "gpu-b");
  r.time = at(1'000'000);
  auto decoded = decodeRecordLine(chainLine(ChainHasher(), 1, kGenesisHash, encodeRecordBody(r), nullptr));
  ASSERT_TRUE(decoded.ok()) << decoded.status().toString();
  EXPECT_EQ(decoded->record, r);
}

TEST(AuditRecordCodec, MembersComeInTheDocumentedOrderWithChainFieldsFirstAndHashLast) {
  AuditRecord r = testutil::deniedPod("p");
  r.time = at(0);
  r.event = LedgerEvent::kBind;
  r.details = {{"z", "1"}, {"a", "2"}};
  const std::string line = chainLine(ChainHasher(), 1, kGenesisHash, encodeRecordBody(r), nullptr);
  auto doc = nlohmann::ordered_json::parse(line);
  std::vector<std::string> keys;
  for (auto it = doc.begin(); it != doc.end(); ++it) keys.push_back(it.key());
  const std::vector<std::string> expected = {
      "seq",     "prev",     "time",         "kind",        "requestUid",   "user",         "groups",
      "operation", "resource", "namespace",  "name",        "podUid",       "node",         "decision",
      "rules",   "message",  "warnings",     "migResources", "deviceUuids", "policyDigest", "dryRun",
      "latencyMicros", "event", "details",   "hash"};
  EXPECT_EQ(keys, expected);
  EXPECT_EQ(doc["details"].begin().key(), "a") << "details are sorted so the bytes are canonical";
}

TEST(AuditRecordCodec, EmptyFieldsAreOmittedButDryRunIsAlwaysStatedForAdmissions) {
  AuditRecord r;
  r.time = at(0);
  EXPECT_EQ(encodeRecordBody(r), R"({"time":"1970-01-01T00:00:00.000000Z","kind":"admission","dryRun":false})");
  r.kind = RecordKind::kLedger;
  EXPECT_EQ(encodeRecordBody(r), R"({"time":"1970-01-01T00:00:00.000000Z","kind":"ledger"})");
}

TEST(AuditRecordCodec, HostileStringsStayOnOneLineAndParseBack) {
  AuditRecord r;
  r.time = at(5);
  r.message = "line1\nline2\t\"quoted\" \\ \x01 é";
  r.name = "a\"},\"hash\":\"0000";
  const std::string line = chainLine(ChainHasher(), 1, kGenesisHash, encodeRecordBody(r), nullptr);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  auto decoded = decodeRecordLine(line);
  ASSERT_TRUE(decoded.ok()) << decoded.status().toString();
  EXPECT_EQ(decoded->record.message, r.message);
  EXPECT_EQ(decoded->record.name, r.name);
  auto parts = splitLine(line);
  ASSERT_TRUE(parts.has_value());
  EXPECT_EQ(parts->hash, decoded->hash) << "the hash member is always the last 75 bytes";
}

TEST(AuditRecordCodec, BadLinesAreErrorsNamingTheField) {
  EXPECT_NE(decodeRecordLine("{").status().message(), "");
  auto noSeq = decodeRecordLine(R"({"prev":"x","hash":"y","time":"1970-01-01T00:00:00Z","kind":"admission"})");
  EXPECT_NE(noSeq.status().message().find("seq"), std::string::npos);
  auto badKind = decodeRecordLine(R"({"seq":1,"prev":"x","time":"1970-01-01T00:00:00Z","kind":"x","hash":"y"})");
  EXPECT_NE(badKind.status().message().find("kind"), std::string::npos);
  auto badTime = decodeRecordLine(R"({"seq":1,"prev":"x","time":"yesterday","kind":"ledger","hash":"y"})");
  EXPECT_NE(badTime.status().message().find("time"), std::string::npos);
}

TEST(Rfc3339, WritesUtcWithMicrosecondsAndReadsOffsetsAndFractions) {
  EXPECT_EQ(formatRfc3339Micros(at(1'764'232'384'000'001)), "2025-11-27T08:33:04.000001Z");
  EXPECT_EQ(parseRfc3339("2025-11-27T08:33:04.000001Z"), at(1'764'232'384'000'001));
  EXPECT_EQ(parseRfc3339("2025-11-27T09:33:04+01:00"), at(1'764'232'384'000'000));
  EXPECT_EQ(parseRfc3339("2025-11-27T08:33:04.5Z"), at(1'764'232'384'500'000));
  EXPECT_FALSE(parseRfc3339("2025-11-27").has_value());
  EXPECT_FALSE(parseRfc3339("2025-13-27T08:33:04Z").has_value());
  EXPECT_FALSE(parseRfc3339("2025-11-27T08:33:04").has_value());
}

}  // namespace
}  // namespace migwarden::audit
