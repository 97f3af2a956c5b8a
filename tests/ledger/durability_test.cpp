// Recovery, torn tails, corruption, snapshots and the read-only latch.
#include <gtest/gtest.h>

#include "tests/ledger/ledger_test_util.h"
#include "tests/support/temp_dir.h"
#include "webhook/ledger/log_format.h"

namespace migwarden::ledger {
namespace {

using namespace testutil;

// Builds a ledger with a report, a pending pod, two reservations and a release.
void populate(StoreFixture& f) {
  NodeReport r = a100Node("gpu-a", 2);
  allocate(r, "bound-1", "b", kMig1g, {migUuid("gpu-a", 0, 0)});
  ASSERT_TRUE(f.store().applyNodeReport(r).ok());
  ASSERT_TRUE(f.store().recordPending(PendingPod{"p1", "ml", "job", {{kMig1g, 2}}, f.clock().now()}, false).ok());
  ASSERT_TRUE(f.store().reserve(reserveRequest("r1", "gpu-a", 3)).ok());
  ASSERT_TRUE(f.store().reserve(reserveRequest("r2", "gpu-a", 1)).ok());
  ASSERT_TRUE(f.store().release("r2").ok());
}

// `unacknowledged`: a reservation whose write failed; it may or may not have reached
// the disk (the ledger never claimed it did), and either outcome is correct.
void expectPopulated(LocalStore& s, const std::string& unacknowledged = "") {
  const int64_t extra = !unacknowledged.empty() && s.reservationOf(unacknowledged).has_value() ? 1 : 0;
  EXPECT_EQ(s.freeSlices("gpu-a", kMig1g), 14 - 1 - 3 - extra);
  ASSERT_TRUE(s.reservationOf("r1").has_value());
  EXPECT_EQ(s.reservationOf("r1")->needs, (ResourceCounts{{kMig1g, 3}}));
  EXPECT_FALSE(s.reservationOf("r2").has_value());
  ASSERT_TRUE(s.pendingOf("p1").has_value());
  EXPECT_EQ(s.pendingOf("p1")->ns, "ml");
  EXPECT_EQ(s.node("gpu-a")->first.allocations.size(), 1u);
}

std::string readAll(StoreFixture& f) { return *f.env().readFile(f.logPath()); }
void writeAll(StoreFixture& f, const std::string& data) { testing::writeFile(f.logPath(), data); }

TEST(LedgerDurability, StateIsRecoveredAfterReopen) {
  StoreFixture f;
  populate(f);
  ASSERT_TRUE(f.reopen().ok());
  EXPECT_EQ(f.store().recoveryInfo().recordsReplayed, 5u);
  expectPopulated(f.store());
}

// Two writers appending to one log would interleave records: the directory is locked
// while a store has it open, and free again once it is closed (or its process died).
TEST(LedgerDurability, ASecondStoreOnTheSameDirectoryIsRefusedWhileTheFirstIsOpen) {
  StoreFixture f;
  populate(f);
  PosixEnv env;
  LocalStoreOptions o;
  o.dir = f.dir();
  o.env = &env;
  o.clock = &f.clock();
  auto second = LocalStore::open(o);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(second.status().message().find("is in use"), std::string::npos) << second.status().message();
  f.close();
  auto afterClose = LocalStore::open(o);
  ASSERT_TRUE(afterClose.ok()) << afterClose.status().message();
  expectPopulated(**afterClose);
}

TEST(LedgerDurability, SnapshotThenLogReplayRecoversTheSameState) {
  StoreFixture f;
  populate(f);
  ASSERT_TRUE(f.store().compact().ok());
  EXPECT_EQ(*f.env().fileSize(f.logPath()), 0u);  // log truncated
  ASSERT_TRUE(f.store().reserve(reserveRequest("r3", "gpu-a", 1)).ok());
  ASSERT_TRUE(f.reopen().ok());
  EXPECT_EQ(f.store().recoveryInfo().snapshotSequence, 5u);
  EXPECT_EQ(f.store().recoveryInfo().recordsReplayed, 1u);
  EXPECT_TRUE(f.store().reservationOf("r3").has_value());
  EXPECT_EQ(f.store().freeSlices("gpu-a", kMig1g), 14 - 1 - 3 - 1);
}

TEST(LedgerDurability, RecordsAlreadyInTheSnapshotAreSkippedWhenTruncationWasLost) {
  StoreFixture f;
  populate(f);
  const std::string before = readAll(f);
  ASSERT_TRUE(f.store().compact().ok());
  f.close();
  writeAll(f, before);  // as if the truncation never reached the disk
  ASSERT_TRUE(f.reopen().ok());
  EXPECT_EQ(f.store().recoveryInfo().recordsReplayed, 0u);
  expectPopulated(f.store());
}

TEST(LedgerDurability, AutomaticSnapshotsKeepTheLogShort) {
  StoreFixture f(/*snapshotEvery=*/4);
  populate(f);
  for (int i = 0; i < 10; ++i) ASSERT_TRUE(f.store().reserve(reserveRequest(numbered("x", i), "gpu-a", 1)).ok());
  EXPECT_GE(f.metrics().renderPrometheus().find("migwarden_ledger_snapshots_total"), 0u);
  ASSERT_TRUE(f.reopen().ok());
  EXPECT_LT(f.store().recoveryInfo().recordsReplayed, 4u);
  EXPECT_EQ(f.store().freeSlices("gpu-a", kMig1g), 14 - 1 - 3 - 10);
}

TEST(LedgerDurability, TornTrailingRecordIsDroppedAndTheLogStaysUsable) {
  StoreFixture f;
  populate(f);
  const std::string good = readAll(f);
  ASSERT_TRUE(f.store().reserve(reserveRequest("torn", "gpu-a", 1)).ok());
  const std::string full = readAll(f);
  f.close();
  for (size_t cut = good.size() + 1; cut < full.size(); cut += 7) {
    writeAll(f, full.substr(0, cut));
    ASSERT_TRUE(f.reopen().ok()) << "cut at " << cut;
    EXPECT_EQ(f.store().recoveryInfo().tornBytesDropped, cut - good.size());
    EXPECT_FALSE(f.store().reservationOf("torn").has_value());
    expectPopulated(f.store());
    // New records go after the valid prefix, not after the garbage.
    ASSERT_TRUE(f.store().reserve(reserveRequest("after", "gpu-a", 1)).ok());
    ASSERT_TRUE(f.reopen().ok());
    EXPECT_EQ(f.store().recoveryInfo().tornBytesDropped, 0u);
    EXPECT_TRUE(f.store().reservationOf("after").has_value());
    f.close();
  }
}

TEST(LedgerDurability, MidLogCorruptionRefusesToOpenAndNamesTheOffset) {
  StoreFixture f;
  populate(f);
  std::string data = readAll(f);
  f.close();
  data[40] ^= 0x20;  // inside the first record (the node report)
  writeAll(f, data);
  Status s = f.reopen();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("offset 0"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("--ledger-repair"), std::string::npos);
}

TEST(LedgerDurability, RepairCutsTheLogAtTheCorruption) {
  StoreFixture f;
  populate(f);
  std::string data = readAll(f);
  f.close();
  // Damage the third record (the first reservation).
  size_t offset = 0;
  for (int i = 0; i < 2; ++i) {
    const auto len = static_cast<unsigned char>(data[offset + 4]) | (static_cast<unsigned char>(data[offset + 5]) << 8);
    offset += log::kHeaderSize + len;
  }
  data[offset + log::kHeaderSize + 12] ^= 0x01;
  writeAll(f, data);
  EXPECT_EQ(f.reopen().code(), StatusCode::kCorruption);
  ASSERT_TRUE(f.reopen(/*repair=*/true).ok());
  EXPECT_EQ(f.store().recoveryInfo().corruptBytesDropped, data.size() - offset);
  EXPECT_TRUE(f.store().pendingOf("p1").has_value());
  EXPECT_FALSE(f.store().reservationOf("r1").has_value());
  ASSERT_TRUE(f.reopen().ok());  // clean from now on
}

TEST(LedgerDurability, DamagedSnapshotIsCorruption) {
  StoreFixture f;
  populate(f);
  ASSERT_TRUE(f.store().compact().ok());
  f.close();
  const std::string path = f.dir() + "/" + LocalStore::kSnapshotName;
  std::string snap = *f.env().readFile(path);
  snap[snap.size() / 2] ^= 0x04;
  testing::writeFile(path, snap);
  EXPECT_EQ(f.reopen(/*repair=*/true).code(), StatusCode::kCorruption);
}

TEST(LedgerDurability, FsyncFailureLatchesTheLedgerReadOnly) {
  StoreFixture f;
  populate(f);
  f.env().failSync = true;
  auto failed = f.store().reserve(reserveRequest("lost", "gpu-a", 1));
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.status().code(), StatusCode::kIOError);
  f.env().failSync = false;  // the disk "recovers": the ledger must not trust it
  EXPECT_EQ(f.store().health().code(), StatusCode::kIOError);
  EXPECT_NE(f.store().health().message().find("read-only"), std::string::npos);
  EXPECT_EQ(f.store().reserve(reserveRequest("later", "gpu-a", 1)).status().code(), StatusCode::kIOError);
  EXPECT_EQ(f.store().release("r1").status().code(), StatusCode::kIOError);
  EXPECT_EQ(f.store().applyNodeReport(a100Node("gpu-b")).status().code(), StatusCode::kIOError);
  EXPECT_EQ(f.store().recordPending(PendingPod{"p9", "a", "b", {{kMig1g, 1}}, {}}, false).code(),
            StatusCode::kIOError);
  EXPECT_EQ(f.store().expireReservations(f.clock().now()).status().code(), StatusCode::kIOError);
  // Queries still answer.
  EXPECT_TRUE(f.store().reservationOf("r1").has_value());
  EXPECT_TRUE(f.store().view().readOnly);
  EXPECT_NE(f.metrics().renderPrometheus().find("migwarden_ledger_read_only 1"), std::string::npos);
  // Everything acknowledged before the failure is still there after a restart.
  ASSERT_TRUE(f.reopen().ok());
  expectPopulated(f.store(), "lost");
  EXPECT_TRUE(f.store().health().ok());
}

TEST(LedgerDurability, ShortWriteAndFullDiskLatchAndNeverCorruptAcknowledgedHistory) {
  for (const char* fault : {"short", "full", "write"}) {
    SCOPED_TRACE(fault);
    StoreFixture f;
    populate(f);
    if (std::string(fault) == "short") f.env().shortWrite = 5;
    if (std::string(fault) == "full") f.env().diskFull = true;
    if (std::string(fault) == "write") f.env().failAppend = true;
    EXPECT_EQ(f.store().reserve(reserveRequest("lost", "gpu-a", 1)).status().code(), StatusCode::kIOError);
    EXPECT_EQ(f.store().health().code(), StatusCode::kIOError);
    f.env().shortWrite = -1;
    f.env().diskFull = false;
    f.env().failAppend = false;
    ASSERT_TRUE(f.reopen().ok());
    expectPopulated(f.store());
    EXPECT_FALSE(f.store().reservationOf("lost").has_value());  // nothing (or a torn prefix) was written
  }
}

TEST(LedgerDurability, FailedSnapshotKeepsTheLedgerWritable) {
  StoreFixture f;
  populate(f);
  f.env().failSync = true;  // the snapshot's temp-file fsync fails...
  EXPECT_FALSE(f.store().compact().ok());
  f.env().failSync = false;
  EXPECT_TRUE(f.store().health().ok());  // ...but the log is intact, so no latch
  ASSERT_TRUE(f.store().reserve(reserveRequest("r9", "gpu-a", 1)).ok());
  ASSERT_TRUE(f.reopen().ok());
  EXPECT_TRUE(f.store().reservationOf("r9").has_value());
}

}  // namespace
}  // namespace migwarden::ledger
