#include <gtest/gtest.h>

#include "webhook/ledger/crc32c.h"
#include "webhook/ledger/log_reader.h"
#include "webhook/ledger/log_writer.h"

namespace migwarden::ledger {
namespace {

using log::Reader;
using log::RecordType;

TEST(LedgerCrc32c, MatchesTheStandardCheckValues) {
  // RFC 3720 B.4 / the CRC catalogue check value for "123456789".
  EXPECT_EQ(crc32c::value("123456789"), 0xE3069283u);
  EXPECT_EQ(crc32c::value(std::string(32, '\0')), 0x8A9136AAu);
  EXPECT_EQ(crc32c::value(std::string(32, '\xff')), 0x62A8AB43u);
}

TEST(LedgerCrc32c, ExtendEqualsOneShotAndMaskRoundTrips) {
  const std::string s = "hello, ledger";
  EXPECT_EQ(crc32c::extend(crc32c::value(s.substr(0, 5)), s.data() + 5, s.size() - 5), crc32c::value(s));
  EXPECT_EQ(crc32c::unmask(crc32c::mask(0x12345678u)), 0x12345678u);
  EXPECT_NE(crc32c::mask(0x12345678u), 0x12345678u);
}

std::string threeRecords() {
  std::string out;
  log::appendRecord(out, RecordType::kPending, "first");
  log::appendRecord(out, RecordType::kReservation, "second record");
  log::appendRecord(out, RecordType::kRelease, "third");
  return out;
}

TEST(LedgerLogReader, ReadsBackEveryRecordWithItsType) {
  const std::string data = threeRecords();
  Reader reader(data);
  log::Record r;
  ASSERT_EQ(reader.next(&r), Reader::Next::kRecord);
  EXPECT_EQ(r.type, RecordType::kPending);
  EXPECT_EQ(r.payload, "first");
  ASSERT_EQ(reader.next(&r), Reader::Next::kRecord);
  EXPECT_EQ(r.payload, "second record");
  ASSERT_EQ(reader.next(&r), Reader::Next::kRecord);
  EXPECT_EQ(r.type, RecordType::kRelease);
  EXPECT_EQ(reader.next(&r), Reader::Next::kEnd);
}

TEST(LedgerLogReader, TruncatedTrailingRecordIsATornTail) {
  const std::string data = threeRecords();
  const size_t lastStart = data.size() - (log::kHeaderSize + 5);
  for (size_t cut = lastStart + 1; cut < data.size(); ++cut) {
    Reader reader(std::string_view(data).substr(0, cut));
    log::Record r;
    ASSERT_EQ(reader.next(&r), Reader::Next::kRecord);
    ASSERT_EQ(reader.next(&r), Reader::Next::kRecord);
    EXPECT_EQ(reader.next(&r), Reader::Next::kTornTail) << "cut at " << cut;
    EXPECT_EQ(reader.offset(), lastStart);
  }
}

TEST(LedgerLogReader, ZeroFilledTailIsATornTail) {
  std::string data = threeRecords() + std::string(64, '\0');
  Reader reader(data);
  log::Record r;
  for (int i = 0; i < 3; ++i) ASSERT_EQ(reader.next(&r), Reader::Next::kRecord);
  EXPECT_EQ(reader.next(&r), Reader::Next::kTornTail);
}

TEST(LedgerLogReader, FlippedBitInTheLastRecordIsATornTail) {
  std::string data = threeRecords();
  data[data.size() - 2] ^= 0x01;
  Reader reader(data);
  log::Record r;
  for (int i = 0; i < 2; ++i) ASSERT_EQ(reader.next(&r), Reader::Next::kRecord);
  EXPECT_EQ(reader.next(&r), Reader::Next::kTornTail);
}

TEST(LedgerLogReader, FlippedBitInTheMiddleIsCorruptionWithItsOffset) {
  std::string data = threeRecords();
  const size_t secondStart = log::kHeaderSize + 5;
  data[secondStart + log::kHeaderSize + 3] ^= 0x40;  // inside "second record"
  Reader reader(data);
  log::Record r;
  ASSERT_EQ(reader.next(&r), Reader::Next::kRecord);
  EXPECT_EQ(reader.next(&r), Reader::Next::kCorruption);
  EXPECT_EQ(reader.offset(), secondStart);
  EXPECT_NE(reader.error().find("checksum mismatch"), std::string::npos) << reader.error();
  EXPECT_NE(reader.error().find("offset " + std::to_string(secondStart)), std::string::npos);
}

TEST(LedgerLogReader, EveryMidLogByteFlipIsDetected) {
  const std::string good = threeRecords();
  const size_t lastStart = good.size() - (log::kHeaderSize + 5);
  for (size_t i = 0; i < lastStart; ++i) {
    std::string data = good;
    data[i] ^= 0x10;
    Reader reader(data);
    log::Record r;
    Reader::Next n;
    int records = 0;
    while ((n = reader.next(&r)) == Reader::Next::kRecord) ++records;
    // Either flagged as damage, or (a corrupted length making the rest look cut short)
    // a torn tail; never three clean records.
    EXPECT_NE(n, Reader::Next::kEnd) << "flip at " << i;
    EXPECT_LT(records, 3) << "flip at " << i;
  }
}

}  // namespace
}  // namespace migwarden::ledger
