// `migwardenctl ledger show` run as a real process against a real ledger directory.
#include <sys/wait.h>

#include <array>
#include <cstdio>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/support/run_command.h"
#include "tests/ledger/ledger_test_util.h"

namespace migwarden::ledger::testutil {
namespace {

using CtlRun = migwarden::testing::CommandRun;

CtlRun ctl(const std::string& args) {
  std::string commandLine = MIGWARDENCTL_PATH;
  commandLine.append(" ").append(args);
  return migwarden::testing::runCommand(commandLine);
}

class LedgerShowCli : public ::testing::Test {
 protected:
  void SetUp() override {
    NodeReport report = a100Node("gpu-a", 2, 7);
    allocate(report, "uid-1", "train-1", kMig1g, {migUuid("gpu-a", 0, 0)});
    ASSERT_TRUE(f_.store().applyNodeReport(report).ok());
    ASSERT_TRUE(f_.store().reserve(reserveRequest("uid-2", "gpu-a", 3)).ok());
  }
  StoreFixture f_;
};

TEST_F(LedgerShowCli, PrintsTablesOfALedgerTheWebhookStillHasOpen) {
  CtlRun run = ctl("ledger show --ledger-dir " + f_.dir());
  ASSERT_EQ(run.exitCode, 0) << run.out;
  EXPECT_NE(run.out.find("gpu-a  nvidia.com/mig-1g.5gb  10/14"), std::string::npos) << run.out;
  EXPECT_NE(run.out.find("default/train-1"), std::string::npos);
  EXPECT_NE(run.out.find("uid-2"), std::string::npos);
  // The live store keeps working afterwards: nothing was changed under it.
  EXPECT_TRUE(f_.store().reserve(reserveRequest("uid-3", "gpu-a", 1)).ok());
}

TEST_F(LedgerShowCli, JsonOutputIsTheApiListBody) {
  CtlRun run = ctl("ledger show --ledger-dir " + f_.dir() + " --output json");
  ASSERT_EQ(run.exitCode, 0) << run.out;
  auto body = nlohmann::json::parse(run.out);
  ASSERT_EQ(body["nodes"].size(), 1u);
  EXPECT_EQ(body["nodes"][0]["resources"][0]["free"], 10);
  EXPECT_EQ(body["reservations"][0]["podUid"], "uid-2");
}

TEST_F(LedgerShowCli, MissingLedgerIsExitOneAndUsageErrorsAreExitTwo) {
  CtlRun missing = ctl("ledger show --ledger-dir " + f_.dir() + "/nope");
  EXPECT_EQ(missing.exitCode, 1);
  EXPECT_NE(missing.out.find("no ledger in"), std::string::npos) << missing.out;
  EXPECT_EQ(ctl("ledger show").exitCode, 2);
  EXPECT_EQ(ctl("ledger show --ledger-dir " + f_.dir() + " --output yaml").exitCode, 2);
  EXPECT_EQ(ctl("ledger frobnicate").exitCode, 2);
  CtlRun help = ctl("ledger show --help");
  EXPECT_EQ(help.exitCode, 0);
  EXPECT_NE(help.out.find("--ledger-dir"), std::string::npos);
}

}  // namespace
}  // namespace migwarden::ledger::testutil
