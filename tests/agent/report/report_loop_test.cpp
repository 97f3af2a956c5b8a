// The report loop's schedule, driven pass by pass with a FakeClock and scripted inputs:
// when it pushes, what it does with each ledger answer, and how it copes with missing
// or failing inputs. No sleeps: time only moves when the test says so.
#include <gtest/gtest.h>

#include "tests/agent/report/scripted_sources.h"
#include "tests/support/temp_dir.h"
#include "webhook/agent/report/report_loop.h"

namespace migwarden::agent {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using testing::allocation;

constexpr int64_t kStartSequence = 1'700'000'000'000;  // FakeClock's wall clock in ms

class ReportLoopTest : public ::testing::Test {
 protected:
  static ReportLoopOptions options() {
    ReportLoopOptions o;
    o.identity = {"gpu-a", "boot-1"};
    o.interval = seconds(10);
    o.pollInterval = seconds(2);
    o.nvmlRetryInterval = seconds(30);
    o.retryInitial = seconds(1);
    o.retryMax = seconds(60);
    o.authRetryMin = seconds(30);
    o.authRetryMax = seconds(60);
    o.seed = 1;
    return o;
  }
  void make(ReportLoopOptions o = options()) {
    loop_ = std::make_unique<ReportLoop>(std::move(o), clock_, env_, hw_.opener(), allocs_, sender_, health_,
                                         metrics_);
  }
  // Advances the clock and runs one pass.
  std::chrono::steady_clock::time_point after(milliseconds d) {
    clock_.advance(d);
    return loop_->step();
  }
  std::chrono::steady_clock::time_point at(milliseconds d) const { return std::chrono::steady_clock::time_point(d); }
  uint64_t failures(PushOutcome o) const { return metrics_.failure(o).value(); }

  FakeClock clock_;
  PosixEnv env_;
  MetricsRegistry registry_;
  AgentMetrics metrics_{registry_};
  DeviceHealth health_;
  testing::ScriptedHardware hw_;
  testing::ScriptedAllocations allocs_;
  testing::RecordingSender sender_;
  std::unique_ptr<ReportLoop> loop_;
};

TEST_F(ReportLoopTest, TheFirstPassPushesAFullReportNumberedFromTheWallClock) {
  make();
  EXPECT_EQ(loop_->step(), at(seconds(2))) << "next pass: the next poll";
  ASSERT_EQ(sender_.sent.size(), 1u);
  const auto& r = sender_.sent[0];
  EXPECT_EQ(r.node, "gpu-a");
  EXPECT_EQ(r.bootId, "boot-1");
  EXPECT_EQ(r.sequence, kStartSequence);
  EXPECT_EQ(r.gpus, testing::a100Inventory().gpus);
  EXPECT_EQ(metrics_.reportsSent.value(), 1u);
  EXPECT_EQ(metrics_.gpus.value(), 1);
  EXPECT_EQ(metrics_.migDevices.value(), 2);
  EXPECT_EQ(metrics_.nvmlLoaded.value(), 1);
  EXPECT_TRUE(loop_->readiness().ok()) << loop_->readiness().message();
}

TEST_F(ReportLoopTest, WithNothingChangingItPushesOnlyEveryIntervalWithGrowingSequence) {
  make();
  loop_->step();
  for (int i = 0; i < 4; ++i) after(seconds(2));  // polls at 2, 4, 6, 8 s
  EXPECT_EQ(sender_.sent.size(), 1u);
  after(seconds(2));  // 10 s: heartbeat
  ASSERT_EQ(sender_.sent.size(), 2u);
  EXPECT_EQ(sender_.sent[1].sequence, kStartSequence + 1);
  EXPECT_EQ(sender_.sent[1].gpus, sender_.sent[0].gpus);
}

TEST_F(ReportLoopTest, AnAllocationChangeIsPushedAtTheNextPoll) {
  make();
  loop_->step();
  allocs_.next = std::vector<ledger::Allocation>{allocation("train-0", "MIG-a1")};
  after(seconds(1));
  EXPECT_EQ(sender_.sent.size(), 1u) << "no poll due yet";
  after(seconds(1));
  ASSERT_EQ(sender_.sent.size(), 2u);
  ASSERT_EQ(sender_.sent[1].allocations.size(), 1u);
  EXPECT_EQ(sender_.sent[1].allocations[0].pod, "train-0");
  EXPECT_EQ(metrics_.allocations.value(), 1);
}

TEST_F(ReportLoopTest, AnInventoryChangeIsPushedAtTheNextPoll) {
  make();
  loop_->step();
  GpuInventory reconfigured = testing::a100Inventory();
  reconfigured.gpus[0].migDevices.pop_back();  // mig-manager destroyed a slice
  hw_.inventory.next = reconfigured;
  after(seconds(2));
  ASSERT_EQ(sender_.sent.size(), 2u);
  EXPECT_EQ(sender_.sent[1].gpus[0].migDevices.size(), 1u);
  EXPECT_EQ(metrics_.migDevices.value(), 1);
}

TEST_F(ReportLoopTest, ADeviceTurningUnhealthyIsPushedAtTheNextPassWithoutWaitingForAPoll) {
  make();
  loop_->step();
  health_.record({"MIG-a2", 94, "XID 94 (contained ECC error)"});
  loop_->step();  // same instant
  ASSERT_EQ(sender_.sent.size(), 2u);
  EXPECT_TRUE(sender_.sent[1].gpus[0].migDevices[0].healthy);
  EXPECT_FALSE(sender_.sent[1].gpus[0].migDevices[1].healthy);
  EXPECT_EQ(metrics_.unhealthyDevices.value(), 1);
}

TEST_F(ReportLoopTest, AStaleAnswerResendsAtOnceWithASequenceAboveTheLedgers) {
  sender_.answers.push_back(PushAnswer{
      409, R"({"error":{"code":409,"reason":"Conflict","message":"stale report for node gpu-a: sequence )"
           R"(1700000000000 < last accepted 1800000000000 for boot boot-1"}})"});
  make();
  EXPECT_EQ(loop_->step(), at(seconds(0))) << "the resend is due at once";
  loop_->step();
  ASSERT_EQ(sender_.sent.size(), 2u);
  EXPECT_EQ(sender_.sent[1].sequence, 1'800'000'000'001);
  EXPECT_EQ(failures(PushOutcome::kStale), 1u);
  EXPECT_EQ(metrics_.reportsSent.value(), 1u);
}

TEST_F(ReportLoopTest, EndlessStaleAnswersStopBeingResentAtOnce) {
  sender_.fallback = PushAnswer{409, "{}"};
  make();
  for (int i = 0; i < 10; ++i) loop_->step();  // same instant
  EXPECT_EQ(sender_.sent.size(), 4u) << "first push + three immediate resends, then backoff";
  for (size_t i = 1; i < sender_.sent.size(); ++i) EXPECT_GT(sender_.sent[i].sequence, sender_.sent[i - 1].sequence);
}

TEST_F(ReportLoopTest, ARefusedTokenIsRetriedSlowlyAndTheTokenIsNeverInTheReport) {
  sender_.answers.push_back(
      PushAnswer{401, R"({"error":{"code":401,"reason":"Unauthorized","message":"token expired"}})"});
  make();
  loop_->step();
  after(seconds(29));
  EXPECT_EQ(sender_.sent.size(), 1u) << "401 waits at least 30s";
  after(seconds(31));
  ASSERT_EQ(sender_.sent.size(), 2u);
  EXPECT_EQ(failures(PushOutcome::kUnauthorized), 1u);
  EXPECT_EQ(metrics_.reportsSent.value(), 1u);
}

TEST_F(ReportLoopTest, NetworkFailuresAreRetriedWithGrowingJitteredDelays) {
  sender_.fallback = Status::Unavailable("connecting to 127.0.0.1:1: Connection refused");
  auto o = options();
  o.pollInterval = seconds(60);  // keep polls out of the way of the retry times
  o.interval = seconds(120);
  make(o);
  const auto firstRetry = loop_->step();
  EXPECT_GE(firstRetry, at(milliseconds(500)));
  EXPECT_LE(firstRetry, at(milliseconds(1000)));
  clock_.advance(firstRetry - clock_.steadyNow());
  const auto secondRetry = loop_->step();
  EXPECT_EQ(sender_.sent.size(), 2u);
  EXPECT_GE(secondRetry - firstRetry, milliseconds(1000));
  EXPECT_LE(secondRetry - firstRetry, milliseconds(2000));
  EXPECT_EQ(failures(PushOutcome::kUnavailable), 2u);

  sender_.fallback = PushAnswer{200, "{}"};
  clock_.advance(secondRetry - clock_.steadyNow());
  loop_->step();
  EXPECT_EQ(metrics_.reportsSent.value(), 1u);
  EXPECT_EQ(sender_.sent.size(), 3u);
}

TEST_F(ReportLoopTest, WithoutNvmlNothingIsPushedReadinessSaysWhyAndLoadingIsRetried) {
  hw_.openError = Status::Unavailable("NVML not available: cannot load libnvidia-ml.so.1");
  make();
  loop_->step();
  EXPECT_TRUE(sender_.sent.empty());
  const Status ready = loop_->readiness();
  ASSERT_FALSE(ready.ok());
  EXPECT_NE(ready.message().find("cannot load libnvidia-ml.so.1"), std::string::npos) << ready.message();
  EXPECT_EQ(metrics_.nvmlLoaded.value(), 0);

  after(seconds(28));
  EXPECT_EQ(hw_.opens, 1);
  hw_.openError = Status::Ok();  // the driver got installed
  after(seconds(2));
  EXPECT_EQ(hw_.opens, 2);
  EXPECT_EQ(sender_.sent.size(), 1u);
  EXPECT_TRUE(loop_->readiness().ok()) << loop_->readiness().message();
}

TEST_F(ReportLoopTest, ReadinessNeedsAReportAcceptedWithinThreeIntervals) {
  make();
  EXPECT_FALSE(loop_->readiness().ok()) << "nothing accepted yet";
  loop_->step();
  EXPECT_TRUE(loop_->readiness().ok());
  sender_.fallback = Status::Unavailable("down");
  clock_.advance(seconds(31));
  const Status ready = loop_->readiness();
  ASSERT_FALSE(ready.ok());
  EXPECT_NE(ready.message().find("31s ago"), std::string::npos) << ready.message();
}

TEST_F(ReportLoopTest, AFailedNvmlReadKeepsTheLastInventory) {
  make();
  loop_->step();
  hw_.inventory.next = Status::Unavailable("nvmlDeviceGetMemoryInfo(gpu 0): GPU is lost (NVML error 15)");
  after(seconds(10));
  ASSERT_EQ(sender_.sent.size(), 2u);
  EXPECT_EQ(sender_.sent[1].gpus, sender_.sent[0].gpus);
  EXPECT_EQ(metrics_.inventoryReadFailures.value(), 1u);
}

TEST_F(ReportLoopTest, NothingIsPushedBeforeTheKubeletHasAnsweredOnce) {
  allocs_.next = Status::Unavailable("kubelet socket missing");
  make();
  loop_->step();
  EXPECT_TRUE(sender_.sent.empty()) << "an empty allocation list would free every slice";
  allocs_.next = std::vector<ledger::Allocation>{allocation("train-0", "MIG-a1")};
  after(seconds(2));
  ASSERT_EQ(sender_.sent.size(), 1u);
  allocs_.next = Status::Unavailable("kubelet restarting");
  after(seconds(10));
  ASSERT_EQ(sender_.sent.size(), 2u);
  EXPECT_EQ(sender_.sent[1].allocations.size(), 1u) << "the last list is kept";
}

TEST_F(ReportLoopTest, TheMigConfigStateLabelFileIsReReadAndAChangeIsPushed) {
  migwarden::testing::TempDir dir;
  migwarden::testing::writeFile(dir.file("labels"), "nvidia.com/mig.config.state=\"success\"\n");
  auto o = options();
  o.migConfigStateFile = dir.file("labels");
  make(o);
  loop_->step();
  ASSERT_EQ(sender_.sent.size(), 1u);
  EXPECT_EQ(sender_.sent[0].migConfigState, "success");
  migwarden::testing::writeFile(dir.file("labels"), "nvidia.com/mig.config.state=\"rebooting\"\n");
  after(seconds(2));
  ASSERT_EQ(sender_.sent.size(), 2u);
  EXPECT_EQ(sender_.sent[1].migConfigState, "rebooting");
}

TEST_F(ReportLoopTest, APendingMigModeChangeIsPushedAsPending) {
  auto o = options();
  o.migConfigState = "success";
  make(o);
  loop_->step();
  hw_.pending = true;
  after(seconds(2));
  ASSERT_EQ(sender_.sent.size(), 2u);
  EXPECT_EQ(sender_.sent[1].migConfigState, "pending");
}

TEST_F(ReportLoopTest, ADryRunReportToleratesAnUnreachableKubeletButASentOneDoesNot) {
  allocs_.next = Status::Unavailable("kubelet socket missing");
  make();
  auto dry = loop_->collectOnce(/*allowMissingAllocations=*/true);
  ASSERT_TRUE(dry.ok()) << dry.status().message();
  EXPECT_TRUE(dry->allocations.empty());
  EXPECT_EQ(dry->gpus.size(), 1u);
  const Status sent = loop_->pushOnce();
  ASSERT_FALSE(sent.ok());
  EXPECT_NE(sent.message().find("kubelet"), std::string::npos) << sent.message();
  EXPECT_TRUE(sender_.sent.empty());
}

TEST_F(ReportLoopTest, OnceResendsAfterAStaleAnswerAndFailsOnARefusedToken) {
  make();
  sender_.answers.push_back(PushAnswer{409, "{}"});
  EXPECT_TRUE(loop_->pushOnce().ok());
  EXPECT_EQ(sender_.sent.size(), 2u);
  sender_.answers.push_back(PushAnswer{403, "{}"});
  EXPECT_FALSE(loop_->pushOnce().ok());
}

TEST_F(ReportLoopTest, OnceWithoutNvmlFailsNamingTheProblem) {
  hw_.openError = Status::Unavailable("NVML not available: cannot load /nope.so");
  make();
  auto r = loop_->collectOnce(true);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("/nope.so"), std::string::npos) << r.status().message();
}

}  // namespace
}  // namespace migwarden::agent
