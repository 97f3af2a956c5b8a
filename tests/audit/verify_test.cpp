// Tamper detection: the verifier names the first removed, reordered, inserted, altered or
// truncated record, with file, line and seq; HMAC defeats an attacker who re-hashes.
#include <gtest/gtest.h>

#include "tests/audit/audit_test_util.h"
#include "webhook/audit/chain.h"
#include "webhook/audit/record_codec.h"
#include "webhook/audit/verify.h"

namespace migwarden::audit {
namespace {

using testutil::LogFixture;
using testutil::readLines;
using testutil::writeLines;

const std::string kKey = "0123456789abcdef0123456789abcdef-test-key";

class VerifyChain : public ::testing::Test {
 protected:
  void write(int n, const std::string& key = "") {
    f_.options().hmacKey = key;
    ASSERT_TRUE(f_.open().ok());
    f_.appendPods(n);
    f_.close();
    lines_ = readLines(f_.path());
    ASSERT_EQ(lines_.size(), static_cast<size_t>(n));
  }
  VerifyReport verify(const std::string& key = "") {
    PosixEnv env;
    auto report = verifyChain({f_.path()}, ChainHasher(key), env);
    EXPECT_TRUE(report.ok()) << report.status().toString();
    return report.ok() ? *report : VerifyReport{};
  }
  void expectProblem(const VerifyReport& r, ProblemKind kind, uint64_t line, std::optional<uint64_t> seq) {
    ASSERT_TRUE(r.problem.has_value()) << "the chain was reported intact";
    EXPECT_EQ(problemKindName(r.problem->kind), problemKindName(kind)) << describeProblem(*r.problem);
    EXPECT_EQ(r.problem->line, line) << describeProblem(*r.problem);
    EXPECT_EQ(r.problem->seq, seq) << describeProblem(*r.problem);
    EXPECT_EQ(r.problem->file, f_.path());
  }

  LogFixture f_;
  std::vector<std::string> lines_;
};

TEST_F(VerifyChain, AnUntouchedLogIsIntactFromGenesis) {
  write(5);
  VerifyReport r = verify();
  EXPECT_FALSE(r.problem.has_value()) << describeProblem(*r.problem);
  EXPECT_EQ(r.records, 5u);
  EXPECT_EQ(r.firstSeq, 1u);
  EXPECT_EQ(r.lastSeq, 5u);
  EXPECT_TRUE(r.fromGenesis);
}

TEST_F(VerifyChain, ARemovedRecordIsNamedAtTheGap) {
  write(5);
  lines_.erase(lines_.begin() + 2);  // seq 3
  writeLines(f_.path(), lines_);
  VerifyReport r = verify();
  expectProblem(r, ProblemKind::kRemoved, 3, 4);
  EXPECT_NE(r.problem->detail.find("seq 3"), std::string::npos) << r.problem->detail;
  EXPECT_EQ(r.records, 2u);
}

TEST_F(VerifyChain, SwappedRecordsAreReportedAsReordered) {
  write(5);
  std::swap(lines_[1], lines_[2]);
  writeLines(f_.path(), lines_);
  expectProblem(verify(), ProblemKind::kReordered, 2, 3);
}

TEST_F(VerifyChain, ACopiedRecordInsertedIntoTheMiddleIsReportedAsInserted) {
  write(5);
  lines_.insert(lines_.begin() + 3, lines_[0]);
  writeLines(f_.path(), lines_);
  expectProblem(verify(), ProblemKind::kInserted, 4, 1);
}

TEST_F(VerifyChain, ChangingOneByteIsReportedAsAltered) {
  write(5);
  const size_t pos = lines_[3].find("pod-3");
  ASSERT_NE(pos, std::string::npos);
  lines_[3][pos + 4] = '9';  // "pod-9"
  writeLines(f_.path(), lines_);
  expectProblem(verify(), ProblemKind::kAltered, 4, 4);
}

TEST_F(VerifyChain, AnIncompleteLastLineIsReportedAsTruncated) {
  write(5);
  std::string text;
  for (const auto& l : lines_) text += l + "\n";
  text.resize(text.size() - 30);
  testing::writeFile(f_.path(), text);
  VerifyReport r = verify();
  ASSERT_TRUE(r.problem.has_value());
  EXPECT_EQ(r.problem->kind, ProblemKind::kTruncated) << describeProblem(*r.problem);
  EXPECT_EQ(r.problem->line, 5u);
  EXPECT_EQ(r.records, 4u);
}

TEST_F(VerifyChain, WithoutHmacAnAttackerWhoRehashesTheTailIsUndetectableButTheMiddleIsCaught) {
  // Plain SHA-256: editing record 2 and recomputing its hash breaks record 3's prev.
  write(4);
  auto rec = decodeRecordLine(lines_[1]);
  ASSERT_TRUE(rec.ok());
  rec->record.decision = Decision::kAllowed;
  lines_[1] = chainLine(ChainHasher(), rec->seq, rec->prev, encodeRecordBody(rec->record), nullptr);
  writeLines(f_.path(), lines_);
  expectProblem(verify(), ProblemKind::kAltered, 3, 3);
}

TEST_F(VerifyChain, WithHmacAnAttackerWhoRecomputesPlainHashesIsDetected) {
  write(4, kKey);
  EXPECT_FALSE(verify(kKey).problem.has_value());
  // The attacker edits the LAST record (nothing links to it) and re-chains with SHA-256,
  // the best they can do without the key.
  auto rec = decodeRecordLine(lines_[3]);
  ASSERT_TRUE(rec.ok());
  rec->record.decision = Decision::kAllowed;
  rec->record.message.clear();
  lines_[3] = chainLine(ChainHasher(), rec->seq, rec->prev, encodeRecordBody(rec->record), nullptr);
  writeLines(f_.path(), lines_);
  expectProblem(verify(kKey), ProblemKind::kAltered, 4, 4);
}

TEST_F(VerifyChain, AKeyedLogDoesNotVerifyWithoutTheKeyAndSaysWhy) {
  write(2, kKey);
  VerifyReport r = verify();
  ASSERT_TRUE(r.problem.has_value());
  EXPECT_NE(r.problem->detail.find("--hmac-key"), std::string::npos) << r.problem->detail;
}

TEST_F(VerifyChain, GarbageLineIsAlteredAndNamesWhy) {
  write(3);
  lines_[1] = "not json";
  writeLines(f_.path(), lines_);
  VerifyReport r = verify();
  expectProblem(r, ProblemKind::kAltered, 2, std::nullopt);
  EXPECT_NE(r.problem->detail.find("JSON"), std::string::npos) << r.problem->detail;
}

}  // namespace
}  // namespace migwarden::audit
