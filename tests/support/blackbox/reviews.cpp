#include "tests/support/blackbox/reviews.h"

#include <gtest/gtest.h>

#include "tests/support/blackbox/child_process.h"
#include "tests/support/temp_dir.h"

namespace migwarden::testing {

using nlohmann::json;

json gpuPodReview(const std::string& podUid, const std::string& name, const std::string& resource, int count) {
  json review = json::parse(readFixture("admission/gpu-pod-create.json"));
  json& pod = review["request"]["object"];
  pod["metadata"]["uid"] = podUid;
  pod["metadata"]["name"] = name;
  review["request"]["name"] = name;
  review["request"]["uid"] = "review-" + podUid;
  json& limits = pod["spec"]["containers"][0]["resources"]["limits"];
  limits.erase("nvidia.com/mig-1g.10gb");
  limits[resource] = count;
  return review;
}

json bindingReview(const std::string& podUid, const std::string& name, const std::string& node, bool dryRun) {
  json review = json::parse(readFixture("admission/binding-create.json"));
  review["request"]["uid"] = "bind-" + podUid;
  review["request"]["name"] = name;
  review["request"]["dryRun"] = dryRun;
  review["request"]["object"]["metadata"]["name"] = name;
  review["request"]["object"]["metadata"]["uid"] = podUid;
  review["request"]["object"]["target"]["name"] = node;
  return review;
}

std::string mintAgentToken(const std::string& node, const std::string& keyFile) {
  ProcessResult t = runToCompletion({builtBinary("migwardenctl"), "token", "--node", node, "--key-file", keyFile});
  if (t.exitCode != 0) {
    ADD_FAILURE() << "migwardenctl token failed: " << t.output;
    return "";
  }
  return t.stdoutText.substr(0, t.stdoutText.find_first_of("\r\n"));
}

}  // namespace migwarden::testing
