// `migwardenctl audit verify|query` run as a real process on logs the real writer made.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/run_command.h"
#include "tests/audit/audit_test_util.h"

namespace migwarden::audit {
namespace {

using testutil::LogFixture;

using CtlRun = migwarden::testing::CommandRun;

CtlRun ctl(const std::string& args) {
  std::string commandLine = MIGWARDENCTL_PATH;
  commandLine.append(" ").append(args);
  return migwarden::testing::runCommand(commandLine);
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

class AuditCli : public ::testing::Test {
 protected:
  void SetUp() override {
    f_.options().maxFileBytes = 4096;
    f_.options().keepRotated = 0;
    ASSERT_TRUE(f_.open().ok());
    f_.appendPods(20);
    AuditRecord allowed = testutil::deniedPod("web-1", "team-b");
    allowed.decision = Decision::kAllowed;
    allowed.rules.clear();
    allowed.node = "gpu-b";
    f_.log().append(allowed);
    f_.log().append(testutil::reservation("uid-77", "gpu-c"));
    f_.close();
  }
  LogFixture f_;
};

TEST_F(AuditCli, VerifyOfTheDirectoryPrintsTheSummaryAndExitsZero) {
  CtlRun run = ctl("audit verify " + f_.dir());
  EXPECT_EQ(run.exitCode, 0) << run.out;
  EXPECT_TRUE(contains(run.out, "22 records, chain intact, first seq 1, last seq 22")) << run.out;
}

TEST_F(AuditCli, VerifyExitsOneNamingFileLineAndSeqOfTheAlteredRecord) {
  auto lines = testutil::readLines(f_.path());
  ASSERT_GE(lines.size(), 2u);
  const size_t pos = lines[1].find("\"decision\":\"allowed\"");
  ASSERT_NE(pos, std::string::npos) << lines[1];
  lines[1].replace(pos, 20, "\"decision\":\"denied\"");  // the reservation, seq 22
  testutil::writeLines(f_.path(), lines);
  CtlRun run = ctl("audit verify " + f_.dir());
  EXPECT_EQ(run.exitCode, 1) << run.out;
  EXPECT_TRUE(contains(run.out, f_.path() + " line 2 (seq 22): altered")) << run.out;
}

TEST_F(AuditCli, VerifyWithTheWrongKeyFailsAndWithTheRightKeyPasses) {
  LogFixture keyed;
  keyed.options().hmacKey = std::string(40, 'k');
  ASSERT_TRUE(keyed.open().ok());
  keyed.appendPods(3);
  keyed.close();
  testing::TempDir secrets;
  const std::string keyFile = secrets.file("audit.key");
  testing::writeFile(keyFile, std::string(40, 'k') + "\n");
  CtlRun good = ctl("audit verify --hmac-key " + keyFile + " " + keyed.path());
  EXPECT_EQ(good.exitCode, 0) << good.out;
  EXPECT_TRUE(contains(good.out, "HMAC-SHA256")) << good.out;
  CtlRun none = ctl("audit verify " + keyed.path());
  EXPECT_EQ(none.exitCode, 1) << none.out;
}

TEST_F(AuditCli, QueryFiltersByDecisionAndPrintsStoredLinesAsJson) {
  CtlRun run = ctl("audit query " + f_.dir() + " --decision allowed --output json");
  ASSERT_EQ(run.exitCode, 0) << run.out;
  auto lines = testutil::readLines(f_.path());
  ASSERT_FALSE(lines.empty());
  // Both the admission allow and the ledger reservation (decision allowed) match.
  std::vector<std::string> out;
  size_t start = 0;
  for (size_t nl; (nl = run.out.find('\n', start)) != std::string::npos; start = nl + 1)
    out.push_back(run.out.substr(start, nl - start));
  ASSERT_EQ(out.size(), 2u) << run.out;
  EXPECT_EQ(nlohmann::json::parse(out[0])["name"], "web-1");
  EXPECT_EQ(nlohmann::json::parse(out[1])["event"], "reservation");
}

TEST_F(AuditCli, QueryByPodNodeRuleNamespaceAndTimeAsATable) {
  CtlRun byPod = ctl("audit query " + f_.dir() + " --pod uid-pod-3");
  ASSERT_EQ(byPod.exitCode, 0) << byPod.out;
  EXPECT_TRUE(contains(byPod.out, "TIME")) << byPod.out;
  EXPECT_TRUE(contains(byPod.out, "team-a/pod-3")) << byPod.out;
  EXPECT_FALSE(contains(byPod.out, "pod-4")) << byPod.out;

  CtlRun byNode = ctl("audit query " + f_.dir() + " --node gpu-c --output json");
  EXPECT_EQ(std::count(byNode.out.begin(), byNode.out.end(), '\n'), 1) << byNode.out;

  CtlRun byRule = ctl("audit query " + f_.dir() + " --rule hardening.visible-devices --namespace team-a --output json");
  EXPECT_EQ(std::count(byRule.out.begin(), byRule.out.end(), '\n'), 20) << byRule.out;

  // FakeClock starts at 1'700'000'000 s (2023-11-14T22:13:20Z) and appendPods steps 1 ms.
  CtlRun byTime = ctl("audit query " + f_.dir() +
                      " --since 2023-11-14T22:13:20.005Z --until 2023-11-14T22:13:20.007Z --output json");
  EXPECT_EQ(std::count(byTime.out.begin(), byTime.out.end(), '\n'), 2) << byTime.out;
}

TEST_F(AuditCli, HelpAndUsageErrors) {
  for (const char* sub : {"audit --help", "audit verify --help", "audit query --help"}) {
    CtlRun run = ctl(sub);
    EXPECT_EQ(run.exitCode, 0) << sub << ": " << run.out;
    EXPECT_TRUE(contains(run.out, "usage: migwardenctl audit")) << run.out;
  }
  EXPECT_EQ(ctl("audit").exitCode, 2);
  EXPECT_EQ(ctl("audit verify").exitCode, 2);
  EXPECT_EQ(ctl("audit frobnicate").exitCode, 2);
  EXPECT_EQ(ctl("audit query " + f_.dir() + " --output yaml").exitCode, 2);
  EXPECT_EQ(ctl("audit query " + f_.dir() + " --since yesterday").exitCode, 2);
  EXPECT_EQ(ctl("audit query " + f_.dir() + " --decision maybe").exitCode, 2);
  CtlRun missing = ctl("audit verify " + f_.dir() + "/nope.log");
  EXPECT_EQ(missing.exitCode, 1);
  EXPECT_TRUE(contains(missing.out, "no such file")) << missing.out;
}

}  // namespace
}  // namespace migwarden::audit
