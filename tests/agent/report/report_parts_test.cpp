// The small parts of the reporting loop: node facts (boot id, the MIG config state
// label), sequence numbers, backoff, and what each ledger answer means.
#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"
#include "webhook/agent/report/backoff.h"
#include "webhook/agent/report/node_facts.h"
#include "webhook/agent/report/report_sender.h"
#include "webhook/agent/report/sequence.h"

namespace migwarden::agent {
namespace {

using std::chrono::milliseconds;

TEST(NodeFacts, TheBootIdIsTheTrimmedFirstLine) {
  migwarden::testing::TempDir dir;
  migwarden::testing::writeFile(dir.file("boot_id"), "3f1c2a9e-5b7d-4c1e-9a44-2f0d7c1b8e11\n");
  PosixEnv env;
  auto id = readBootId(env, dir.file("boot_id"));
  ASSERT_TRUE(id.ok()) << id.status().message();
  EXPECT_EQ(*id, "3f1c2a9e-5b7d-4c1e-9a44-2f0d7c1b8e11");
}

TEST(NodeFacts, AnEmptyOrMissingBootIdFileIsAnErrorNamingTheFile) {
  migwarden::testing::TempDir dir;
  migwarden::testing::writeFile(dir.file("empty"), "\n");
  PosixEnv env;
  auto empty = readBootId(env, dir.file("empty"));
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find(dir.file("empty")), std::string::npos) << empty.status().message();
  auto missing = readBootId(env, dir.file("nope"));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find(dir.file("nope")), std::string::npos) << missing.status().message();
}

TEST(NodeFacts, TheMigConfigStateLabelIsReadFromADownwardApiLabelsFile) {
  const std::string file =
      "kubernetes.io/hostname=\"gpu-a\"\n"
      "nvidia.com/mig.config=\"all-1g.5gb\"\n"
      "nvidia.com/mig.config.state=\"success\"\n";
  EXPECT_EQ(parseLabelsFile(file, kMigConfigStateLabel).value(), "success");
  EXPECT_EQ(parseLabelsFile("a=\"x\\\"y\"\n", "a").value(), "x\"y");
}

TEST(NodeFacts, AnAbsentLabelIsUnknownAndAMalformedLineIsNamed) {
  EXPECT_EQ(parseLabelsFile("kubernetes.io/hostname=\"gpu-a\"\n", kMigConfigStateLabel).value(), "");
  auto bad = parseLabelsFile("ok=\"1\"\nnvidia.com/mig.config.state=success\n", kMigConfigStateLabel);
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("line 2"), std::string::npos) << bad.status().message();
}

TEST(Sequence, StartsAtTheWallClockInMillisecondsAndOnlyGrows) {
  FakeClock clock;  // 1'700'000'000 s
  auto seq = SequenceCounter::startingAtWallClock(clock);
  EXPECT_EQ(seq.take(), 1'700'000'000'000);
  EXPECT_EQ(seq.take(), 1'700'000'000'001);
  seq.jumpPast(10);  // lower than what we already use: no change
  EXPECT_EQ(seq.peek(), 1'700'000'000'002);
  seq.jumpPast(1'800'000'000'000);
  EXPECT_EQ(seq.take(), 1'800'000'000'001);
}

TEST(Sequence, TheLedgersLastAcceptedValueIsReadFromA409) {
  const std::string body =
      R"({"error":{"code":409,"reason":"Conflict","message":"stale report for node gpu-a: sequence 5 < last )"
      R"(accepted 1700000000123 for boot b"}})";
  EXPECT_EQ(lastAcceptedSequence(body), 1'700'000'000'123);
  EXPECT_EQ(lastAcceptedSequence("{}"), std::nullopt);
}

TEST(Backoff, DelaysAreJitteredWithinHalfToFullStepAndDoubleUpToTheCap) {
  Backoff b(milliseconds(1000), milliseconds(8000), 7);
  const int64_t steps[] = {1000, 2000, 4000, 8000, 8000, 8000};
  for (int64_t step : steps) {
    const auto d = b.next().count();
    EXPECT_GE(d, step / 2);
    EXPECT_LE(d, step);
  }
  b.reset();
  EXPECT_LE(b.next().count(), 1000);
}

TEST(PushAnswers, EachStatusMapsToWhatTheAgentDoesNext) {
  EXPECT_EQ(classifyAnswer(PushAnswer{200, ""}), PushOutcome::kAccepted);
  EXPECT_EQ(classifyAnswer(PushAnswer{409, ""}), PushOutcome::kStale);
  EXPECT_EQ(classifyAnswer(PushAnswer{401, ""}), PushOutcome::kUnauthorized);
  EXPECT_EQ(classifyAnswer(PushAnswer{403, ""}), PushOutcome::kForbidden);
  EXPECT_EQ(classifyAnswer(PushAnswer{400, ""}), PushOutcome::kRejected);
  EXPECT_EQ(classifyAnswer(PushAnswer{503, ""}), PushOutcome::kServerError);
  EXPECT_EQ(classifyAnswer(Status::Unavailable("connect")), PushOutcome::kUnavailable);
  EXPECT_EQ(classifyAnswer(Status::FailedPrecondition("token")), PushOutcome::kToken);
}

TEST(PushAnswers, TheReasonIsTheErrorMessageOfTheBody) {
  EXPECT_EQ(answerReason(R"({"error":{"code":401,"reason":"Unauthorized","message":"token expired"}})"),
            "token expired");
  EXPECT_EQ(answerReason("plain text"), "plain text");
}

TEST(HttpsReportSender, AMissingOrEmptyTokenFileFailsBeforeAnyConnection) {
  migwarden::testing::TempDir dir;
  PosixEnv env;
  ledger::NodeReport report;
  report.node = "gpu-a";
  HttpsReportSender missing({"https://127.0.0.1:1", "", dir.file("token"), milliseconds(100)}, env);
  auto a = missing.send(report);
  ASSERT_FALSE(a.ok());
  EXPECT_EQ(classifyAnswer(a), PushOutcome::kToken);
  EXPECT_NE(a.status().message().find("--token-file"), std::string::npos) << a.status().message();

  migwarden::testing::writeFile(dir.file("token"), "\n");
  auto b = missing.send(report);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("empty"), std::string::npos) << b.status().message();
}

}  // namespace
}  // namespace migwarden::agent
