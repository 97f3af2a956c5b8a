// The real binaries with the etcd backend: migwarden-webhook --ledger-backend etcd
// (startup, readiness while etcd comes and goes, clear flag errors) and
// `migwardenctl ledger export|import`.
#include <gtest/gtest.h>

#include "tests/ledger/ledger_test_util.h"
#include "tests/support/blackbox/webhook_test_base.h"
#include "tests/support/etcd/etcd_process.h"
#include "webhook/common/clock.h"
#include "webhook/common/env.h"
#include "webhook/ledger/local_store.h"

namespace migwarden::testing {
namespace {

class WebhookEtcdTest : public WebhookTest {
 protected:
  void SetUp() override {
    MIGWARDEN_REQUIRE_ETCD();
    WebhookTest::SetUp();
    etcd_ = std::make_unique<EtcdProcess>();
    ASSERT_TRUE(etcd_->running());
  }
  std::vector<std::string> etcdFlags() const {
    return {"--ledger-backend", "etcd", "--etcd-endpoints", etcd_->endpoint(), "--etcd-prefix", "/webhook-test/"};
  }
  int readyz() {
    auto health = connectHealth();
    auto reply = health->request("GET", "/readyz");
    return reply ? reply->status : -1;
  }
  std::unique_ptr<EtcdProcess> etcd_;
};

TEST_F(WebhookEtcdTest, StartsOnEtcdAndIsReady) {
  startWebhook(etcdFlags());
  EXPECT_EQ(readyz(), 200) << webhook_->output();
  EXPECT_NE(webhook_->output().find("ledger: etcd backend at"), std::string::npos) << webhook_->output();
}

TEST_F(WebhookEtcdTest, IsNotReadyWhileEtcdIsDownAndRecoversWhenItReturns) {
  startWebhook(etcdFlags());
  ASSERT_EQ(readyz(), 200);
  etcd_->kill();
  ASSERT_TRUE(webhook_->waitForOutput("lost etcd")) << webhook_->output();
  EXPECT_EQ(readyz(), 503);
  ASSERT_TRUE(etcd_->restart());
  ASSERT_TRUE(webhook_->waitForOutput("etcd is reachable again")) << webhook_->output();
  EXPECT_EQ(readyz(), 200) << webhook_->output();
}

TEST(WebhookEtcdFlags, BadEtcdFlagsExitWithStatus2AndSayWhy) {
  const std::vector<std::string> base{builtBinary("migwarden-webhook"), "--tls-cert", "c.pem", "--tls-key", "k.pem"};
  struct Case {
    std::vector<std::string> flags;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"--ledger-backend", "etcd"}, "needs --etcd-endpoints"},
      {{"--ledger-backend", "consul"}, "must be local or etcd"},
      {{"--ledger-backend", "etcd", "--etcd-endpoints", "etcd:2379"}, "http:// or https://"},
      {{"--etcd-endpoints", "http://127.0.0.1:2379"}, "only apply with --ledger-backend etcd"},
      {{"--ledger-backend", "etcd", "--etcd-endpoints", "http://127.0.0.1:2379", "--etcd-prefix", "/x"},
       "must end with /"},
      {{"--ledger-backend", "etcd", "--etcd-endpoints", "https://127.0.0.1:2379", "--etcd-cert", "c.pem"},
       "--etcd-cert and --etcd-key"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> argv = base;
    argv.insert(argv.end(), c.flags.begin(), c.flags.end());
    ProcessResult r = runToCompletion(argv);
    EXPECT_EQ(r.exitCode, 2) << c.says << "\n" << r.output;
    EXPECT_NE(r.output.find(c.says), std::string::npos) << r.output;
  }
}

TEST(WebhookEtcdFlags, HelpListsTheEtcdFlags) {
  ProcessResult r = runToCompletion({builtBinary("migwarden-webhook"), "--help"});
  ASSERT_EQ(r.exitCode, 0);
  for (const char* flag : {"--ledger-backend", "--etcd-endpoints", "--etcd-prefix", "--etcd-cacert", "--etcd-cert",
                           "--etcd-key"})
    EXPECT_NE(r.output.find(flag), std::string::npos) << flag;
}

}  // namespace
}  // namespace migwarden::testing

namespace migwarden::testing {
namespace {

// `migwardenctl ledger export|import` moves a ledger from a local directory into etcd
// and back out, unchanged.
TEST(LedgerTransferCommand, MovesALedgerFromALocalDirectoryIntoEtcdAndBack) {
  MIGWARDEN_REQUIRE_ETCD();
  EtcdProcess etcd;
  ASSERT_TRUE(etcd.running());
  TempDir dir;
  const std::string ctl = builtBinary("migwardenctl");
  {
    // A local ledger with content, as a webhook would have left it.
    PosixEnv env;
    FakeClock clock;
    ledger::LocalStoreOptions o;
    o.dir = dir.file("ledger");
    o.env = &env;
    o.clock = &clock;
    auto store = ledger::LocalStore::open(o);
    ASSERT_TRUE(store.ok());
    ASSERT_TRUE((*store)->applyNodeReport(ledger::testutil::a100Node("n1", 1, 7)).ok());
    ASSERT_TRUE((*store)->reserve(ledger::testutil::reserveRequest("pod-a", "n1", 2)).ok());
  }
  ProcessResult out = runToCompletion(
      {ctl, "ledger", "export", "--ledger-dir", dir.file("ledger"), "--file", dir.file("local.json")});
  ASSERT_EQ(out.exitCode, 0) << out.output;
  const std::vector<std::string> etcdFlags{"--etcd-endpoints", etcd.endpoint(), "--etcd-prefix", "/moved/"};
  std::vector<std::string> import{ctl, "ledger", "import", "--file", dir.file("local.json")};
  import.insert(import.end(), etcdFlags.begin(), etcdFlags.end());
  ProcessResult in = runToCompletion(import);
  ASSERT_EQ(in.exitCode, 0) << in.output;
  EXPECT_NE(in.output.find("imported 1 nodes, 1 reservations"), std::string::npos) << in.output;
  ProcessResult again = runToCompletion(import);
  EXPECT_EQ(again.exitCode, 1) << again.output;  // not empty any more
  EXPECT_NE(again.output.find("import needs an empty ledger"), std::string::npos) << again.output;

  std::vector<std::string> exportEtcd{ctl, "ledger", "export", "--file", dir.file("etcd.json")};
  exportEtcd.insert(exportEtcd.end(), etcdFlags.begin(), etcdFlags.end());
  ProcessResult back = runToCompletion(exportEtcd);
  ASSERT_EQ(back.exitCode, 0) << back.output;
  EXPECT_EQ(readFile(dir.file("etcd.json")), readFile(dir.file("local.json")));

  ProcessResult usage = runToCompletion({ctl, "ledger", "export", "--file", dir.file("x.json")});
  EXPECT_EQ(usage.exitCode, 2) << usage.output;
  EXPECT_NE(usage.output.find("exactly one of --ledger-dir and --etcd-endpoints"), std::string::npos) << usage.output;
}

}  // namespace
}  // namespace migwarden::testing
