// AuditLog on real files: records come back as written, the chain continues across
// rotation and restarts, a torn tail is repaired, and concurrent appends lose nothing.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>
#include <thread>

#include "tests/audit/audit_test_util.h"
#include "webhook/audit/audit_files.h"
#include "webhook/audit/record_codec.h"
#include "webhook/audit/verify.h"

namespace migwarden::audit {
namespace {

using testutil::LogFixture;
using testutil::readLines;

VerifyReport verifyFiles(const std::vector<std::string>& files, const std::string& key = "") {
  PosixEnv env;
  auto r = verifyChain(files, ChainHasher(key), env);
  EXPECT_TRUE(r.ok()) << r.status().toString();
  if (r.ok() && r->problem) ADD_FAILURE() << describeProblem(*r->problem);
  return r.ok() ? *r : VerifyReport{};
}

std::vector<std::string> chainFiles(const std::string& dir) {
  PosixEnv env;
  auto files = chainFilesInDirectory(env, dir);
  EXPECT_TRUE(files.ok());
  return files.ok() ? *files : std::vector<std::string>{};
}

TEST(AuditLog, WrittenRecordsReadBackEqualWithTheClocksTime) {
  LogFixture f;
  ASSERT_TRUE(f.open().ok());
  AuditRecord pod = testutil::deniedPod("train-1");
  AuditRecord ledger = testutil::reservation("uid-1", "gpu-a");
  ASSERT_TRUE(f.log().append(pod));
  ASSERT_TRUE(f.log().append(ledger));
  f.log().flush();
  auto lines = readLines(f.path());
  ASSERT_EQ(lines.size(), 2u);
  auto first = decodeRecordLine(lines[0]);
  auto second = decodeRecordLine(lines[1]);
  ASSERT_TRUE(first.ok() && second.ok());
  pod.time = f.clock().now();  // unset time = "now" from the injected clock
  ledger.time = f.clock().now();
  EXPECT_EQ(first->record, pod);
  EXPECT_EQ(second->record, ledger);
  EXPECT_EQ(first->seq, 1u);
  EXPECT_EQ(second->prev, first->hash);
  EXPECT_EQ(f.counter("migwarden_audit_records_total"), 2u);
  EXPECT_EQ(f.counter("migwarden_audit_failures_total"), 0u);
  EXPECT_TRUE(f.log().health().ok());
  EXPECT_TRUE(f.log().acceptingWrites());
  EXPECT_TRUE(nlohmann::json::accept(lines[0])) << "an independent parser agrees it is JSON";
}

TEST(AuditLog, DestructionFlushesEverythingQueued) {
  LogFixture f;
  ASSERT_TRUE(f.open().ok());
  for (int i = 0; i < 500; ++i) f.log().append(testutil::deniedPod("p"));
  f.close();
  EXPECT_EQ(readLines(f.path()).size(), 500u);
}

TEST(AuditLog, TheChainContinuesAcrossRotationAndKeepsNFiles) {
  LogFixture f;
  f.options().maxFileBytes = 4096;
  f.options().keepRotated = 0;
  ASSERT_TRUE(f.open().ok());
  f.appendPods(60);
  f.close();
  testing::writeFile(f.dir() + "/README", "not part of the chain");
  auto files = chainFiles(f.dir());
  ASSERT_GT(files.size(), 3u);
  EXPECT_EQ(files.back(), f.path()) << "the active file comes last";
  EXPECT_EQ(files.front(), rotatedFileName(f.path(), 1));
  for (const auto& file : files) {
    PosixEnv env;
    EXPECT_LE(*env.fileSize(file), 4096u) << file;
  }
  VerifyReport r = verifyFiles(files);
  EXPECT_EQ(r.records, 60u);
  EXPECT_EQ(r.lastSeq, 60u);

  // With keep = 2, reopening and writing more prunes the oldest rotated files; what is
  // left still verifies from its first seq on.
  f.options().keepRotated = 2;
  ASSERT_TRUE(f.open().ok());
  f.appendPods(30, 60);
  f.close();
  files = chainFiles(f.dir());
  EXPECT_EQ(files.size(), 3u);
  r = verifyFiles(files);
  EXPECT_EQ(r.lastSeq, 90u);
  EXPECT_FALSE(r.fromGenesis);
}

TEST(AuditLog, ReopeningResumesTheChainWhereItStopped) {
  LogFixture f;
  ASSERT_TRUE(f.open().ok());
  f.appendPods(3);
  f.close();
  ASSERT_TRUE(f.open().ok());
  EXPECT_EQ(f.log().resumeInfo().lastSeq, 3u);
  f.appendPods(2, 3);
  f.close();
  VerifyReport r = verifyFiles({f.path()});
  EXPECT_EQ(r.records, 5u);
  EXPECT_TRUE(r.fromGenesis);
}

TEST(AuditLog, ReopeningAfterARotationWithAnEmptyActiveFileLinksToTheRotatedFile) {
  LogFixture f;
  ASSERT_TRUE(f.open().ok());
  f.appendPods(3);
  f.close();
  // As if the process died right after renaming the active file.
  PosixEnv env;
  ASSERT_TRUE(env.renameFile(f.path(), rotatedFileName(f.path(), 1)).ok());
  ASSERT_TRUE(f.open().ok());
  EXPECT_EQ(f.log().resumeInfo().lastSeq, 3u);
  f.appendPods(1, 3);
  f.close();
  EXPECT_EQ(verifyFiles(chainFiles(f.dir())).records, 4u);
}

TEST(AuditLog, ATornLastLineIsCutOffOnOpenAndReported) {
  LogFixture f;
  ASSERT_TRUE(f.open().ok());
  f.appendPods(3);
  f.close();
  testing::writeFile(f.path(), testing::readFile(f.path()) + R"({"seq":4,"prev":"ab)");
  ASSERT_TRUE(f.open().ok());
  EXPECT_EQ(f.log().resumeInfo().tornBytesDropped, 19u);
  EXPECT_EQ(f.log().resumeInfo().lastSeq, 3u);
  f.appendPods(1, 3);
  f.close();
  EXPECT_EQ(verifyFiles({f.path()}).records, 4u);
}

TEST(AuditLog, OpeningAChainWrittenWithAnotherKeyFails) {
  LogFixture f;
  f.options().hmacKey = std::string(32, 'a');
  ASSERT_TRUE(f.open().ok());
  f.appendPods(1);
  f.close();
  f.options().hmacKey = std::string(32, 'b');
  Status s = f.open();
  EXPECT_EQ(s.code(), StatusCode::kFailedPrecondition) << s.toString();
  EXPECT_NE(s.message().find("HMAC key"), std::string::npos) << s.message();
}

TEST(AuditLog, DashWritesAChainedLogToStdout) {
  LogFixture f;
  f.options().path = "-";
  ::testing::internal::CaptureStdout();
  ASSERT_TRUE(f.open().ok());
  f.appendPods(3);
  f.close();
  const std::string out = ::testing::internal::GetCapturedStdout();
  const std::string copy = f.dir() + "/collected.log";
  testing::writeFile(copy, out);
  VerifyReport r = verifyFiles({copy});
  EXPECT_EQ(r.records, 3u);
  EXPECT_TRUE(r.fromGenesis);
}

TEST(AuditLog, EightThreadsAppendingConcurrentlyLoseNothingAndKeepTheChainIntact) {
  LogFixture f;
  f.options().maxFileBytes = 64 * 1024;
  f.options().keepRotated = 0;
  f.options().queueCapacity = 100000;
  ASSERT_TRUE(f.open().ok());
  constexpr int kThreads = 8;
  constexpr int kPerThread = 400;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i)
        f.log().append(testutil::deniedPod(testutil::numbered(testutil::numbered("t", t) + "-", i)));
    });
  }
  for (auto& th : threads) th.join();
  f.close();
  auto files = chainFiles(f.dir());
  EXPECT_GT(files.size(), 1u) << "the run should have rotated";
  VerifyReport r = verifyFiles(files);
  EXPECT_EQ(r.records, static_cast<uint64_t>(kThreads * kPerThread));
  std::set<std::string> names;
  for (const auto& file : files)
    for (const auto& line : readLines(file)) names.insert(decodeRecordLine(line)->record.name);
  EXPECT_EQ(names.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(f.counter("migwarden_audit_failures_total"), 0u);
  EXPECT_EQ(f.counter("migwarden_audit_records_total"), static_cast<uint64_t>(kThreads * kPerThread));
}

}  // namespace
}  // namespace migwarden::audit
