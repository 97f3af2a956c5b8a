// What a security team sees: every decision of the real webhook lands in the
// hash-chained audit log, `migwardenctl audit verify` confirms the chain, and an edited
// record is caught and named.
#include <csignal>
#include <sstream>

#include <nlohmann/json.hpp>

#include "tests/support/blackbox/webhook_test_base.h"

namespace migwarden::testing {
namespace {

using nlohmann::json;

class AuditLogThroughTheWebhook : public WebhookTest {
 protected:
  std::string logPath() const { return dir_.file("audit/audit.log"); }
  void decideThreeAndStop() {
    startWebhook({"--audit-log", logPath()});
    ASSERT_EQ(post("/mutate", admissionFixture("gpu-pod-create.json")).status, 200);
    ASSERT_EQ(post("/validate", admissionFixture("gpu-pod-create-validate.json")).status, 200);
    json bad = json::parse(admissionFixture("gpu-pod-create-validate.json"));
    bad["request"]["object"]["spec"]["containers"][0]["resources"]["limits"]["nvidia.com/mig-9g.1tb"] = 1;
    ASSERT_EQ(post("/validate", bad.dump()).status, 200);
    webhook_->sendSignal(SIGTERM);
    ASSERT_EQ(webhook_->waitForExit(), 0) << webhook_->output();
  }
  ProcessResult verify() { return runToCompletion({builtBinary("migwardenctl"), "audit", "verify", logPath()}); }
};

TEST_F(AuditLogThroughTheWebhook, EveryDecisionIsRecordedAndTheChainVerifies) {
  decideThreeAndStop();
  std::vector<json> records;
  std::istringstream lines(readFile(logPath()));
  for (std::string line; std::getline(lines, line);) records.push_back(json::parse(line));
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[2].value("decision", ""), "denied");
  EXPECT_NE(records[2].dump().find("mig-profile-known"), std::string::npos) << records[2].dump();

  ProcessResult r = verify();
  EXPECT_EQ(r.exitCode, 0) << r.output;
}

TEST_F(AuditLogThroughTheWebhook, AnEditedRecordFailsVerificationNamingIt) {
  decideThreeAndStop();
  std::string bytes = readFile(logPath());
  auto pos = bytes.find("\"denied\"");
  ASSERT_NE(pos, std::string::npos);
  bytes.replace(pos, 8, "\"allowd\"");
  writeFile(logPath(), bytes);
  ProcessResult r = verify();
  EXPECT_EQ(r.exitCode, 1) << r.output;
  EXPECT_NE(r.output.find("line 3"), std::string::npos) << r.output;
}

}  // namespace
}  // namespace migwarden::testing
