// When the sink fails the log says so: health() carries the error, failures are counted,
// deny mode stops accepting state changes, allow mode keeps serving.
#include <gtest/gtest.h>

#include "tests/audit/audit_test_util.h"
#include "webhook/audit/verify.h"

namespace migwarden::audit {
namespace {

using testutil::LogFixture;

TEST(AuditLogFaults, AWriteErrorLatchesUnhealthyCountsTheLossAndDenyModeStopsAccepting) {
  LogFixture f;
  f.options().failureMode = AuditFailureMode::kDeny;
  ASSERT_TRUE(f.open().ok());
  f.appendPods(2);
  f.env().failAppend = true;
  f.appendPods(1, 2);
  EXPECT_EQ(f.log().health().code(), StatusCode::kIOError) << f.log().health().toString();
  EXPECT_FALSE(f.log().acceptingWrites());
  EXPECT_EQ(f.counter("migwarden_audit_failures_total"), 1u);
  // The error is latched: even with the disk back, nothing more is written (the file's
  // state is unknown) and every refused record is counted.
  f.env().failAppend = false;
  EXPECT_FALSE(f.log().append(testutil::deniedPod("later")));
  EXPECT_EQ(f.counter("migwarden_audit_failures_total"), 2u);
  EXPECT_EQ(f.counter("migwarden_audit_records_total"), 2u);
  f.close();
  PosixEnv env;
  auto r = verifyChain({f.path()}, ChainHasher(), env);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r->problem.has_value());
  EXPECT_EQ(r->records, 2u);
}

TEST(AuditLogFaults, AnFsyncErrorIsAFailureToo) {
  LogFixture f;
  ASSERT_TRUE(f.open().ok());
  f.env().failSync = true;
  f.appendPods(3);
  EXPECT_FALSE(f.log().health().ok());
  EXPECT_NE(f.log().health().message().find("fdatasync"), std::string::npos) << f.log().health().message();
  EXPECT_EQ(f.counter("migwarden_audit_failures_total"), 3u);
  EXPECT_FALSE(f.log().acceptingWrites());
}

TEST(AuditLogFaults, AllowModeKeepsAcceptingAfterAFailure) {
  LogFixture f;
  f.options().failureMode = AuditFailureMode::kAllow;
  ASSERT_TRUE(f.open().ok());
  f.env().failAppend = true;
  f.appendPods(1);
  EXPECT_FALSE(f.log().health().ok());
  EXPECT_TRUE(f.log().acceptingWrites());
  EXPECT_EQ(f.counter("migwarden_audit_failures_total"), 1u);
}

TEST(AuditLogFaults, AFullQueueRefusesTheRecordAndCountsItAndDenyModeStopsAccepting) {
  LogFixture f;
  f.options().queueCapacity = 1;
  ASSERT_TRUE(f.open().ok());
  f.env().holdSyncs();
  ASSERT_TRUE(f.log().append(testutil::deniedPod("in-flight")));
  f.env().waitUntilASyncIsHeld();  // the writer is stuck in fdatasync with record 1
  ASSERT_TRUE(f.log().append(testutil::deniedPod("queued")));
  EXPECT_FALSE(f.log().acceptingWrites());
  EXPECT_FALSE(f.log().append(testutil::deniedPod("refused")));
  EXPECT_EQ(f.counter("migwarden_audit_failures_total"), 1u);
  EXPECT_TRUE(f.log().health().ok()) << "a full queue is back-pressure, not a broken sink";
  f.env().releaseSyncs();
  f.log().flush();
  EXPECT_TRUE(f.log().acceptingWrites());
  EXPECT_EQ(f.counter("migwarden_audit_records_total"), 2u);
}

TEST(AuditLogFaults, TheFailureFlagAcceptsDenyAndAllowOnly) {
  EXPECT_EQ(parseAuditFailureMode("deny"), AuditFailureMode::kDeny);
  EXPECT_EQ(parseAuditFailureMode("allow"), AuditFailureMode::kAllow);
  EXPECT_FALSE(parseAuditFailureMode("ignore").has_value());
}

TEST(AuditLogFaults, AnUnusablePathFailsToOpenWithTheReason) {
  LogFixture f;
  f.options().path = "/proc/migwarden-no-such-dir/audit.log";
  Status s = f.open();
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("audit log"), std::string::npos) << s.message();
}

}  // namespace
}  // namespace migwarden::audit
