#include "webhook/ledger/node_report.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/ledger/ledger_test_util.h"
#include "webhook/ledger/resource_names.h"

namespace migwarden::ledger {
namespace {

const char* kValidReport = R"({
  "node": "gpu-a", "sequence": 7, "bootId": "b1",
  "driverVersion": "550.54.15", "cudaDriverVersion": "12.4", "migConfigState": "success",
  "gpus": [{"uuid": "GPU-1", "product": "NVIDIA A100-SXM4-40GB", "pciDeviceId": "0x20B010DE",
            "computeCapability": "8.0", "memoryMiB": 40960, "migMode": "enabled",
            "migDevices": [{"uuid": "MIG-1", "profile": "1g.5gb", "giId": 7, "ciId": 0,
                            "placement": {"start": 0, "size": 1}, "healthy": true},
                           {"uuid": "MIG-2", "profile": "1g.5gb", "giId": 8, "ciId": 0,
                            "placement": {"start": 1, "size": 1}, "healthy": false}]}],
  "allocations": [{"podUid": "", "namespace": "ml", "pod": "train-0", "container": "c",
                   "resource": "nvidia.com/mig-1g.5gb", "deviceIds": ["MIG-1"]}]
})";

// Replaces one JSON pointer in the valid report (nlohmann as an independent oracle).
std::string mutate(const std::string& pointer, const nlohmann::json& value) {
  auto j = nlohmann::json::parse(kValidReport);
  j[nlohmann::json::json_pointer(pointer)] = value;
  return j.dump();
}
std::string without(const std::string& parentPointer, const std::string& key) {
  auto j = nlohmann::json::parse(kValidReport);
  j[nlohmann::json::json_pointer(parentPointer)].erase(key);
  return j.dump();
}

TEST(LedgerNodeReport, ParsesEveryFieldOfTheContractFormat) {
  auto r = parseNodeReport(kValidReport);
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_EQ(r->node, "gpu-a");
  EXPECT_EQ(r->sequence, 7);
  EXPECT_EQ(r->bootId, "b1");
  EXPECT_EQ(r->driverVersion, "550.54.15");
  EXPECT_EQ(r->cudaDriverVersion, "12.4");
  EXPECT_EQ(r->migConfigState, "success");
  ASSERT_EQ(r->gpus.size(), 1u);
  EXPECT_EQ(r->gpus[0].pciDeviceId, "0x20B010DE");
  EXPECT_EQ(r->gpus[0].memoryMiB, 40960);
  ASSERT_EQ(r->gpus[0].migDevices.size(), 2u);
  EXPECT_EQ(r->gpus[0].migDevices[1].placement, (Placement{1, 1}));
  EXPECT_FALSE(r->gpus[0].migDevices[1].healthy);
  ASSERT_EQ(r->allocations.size(), 1u);
  EXPECT_EQ(r->allocations[0].podUid, "");
  EXPECT_EQ(r->allocations[0].ns, "ml");
  EXPECT_EQ(r->allocations[0].deviceIds, std::vector<std::string>{"MIG-1"});
}

TEST(LedgerNodeReport, EncodeThenParseGivesTheSameReport) {
  auto r = parseNodeReport(kValidReport);
  ASSERT_TRUE(r.ok());
  auto again = parseNodeReport(encodeNodeReport(*r));
  ASSERT_TRUE(again.ok()) << again.status().toString();
  EXPECT_EQ(*again, *r);
  // And the encoding is the contract's field names, checked independently.
  auto j = nlohmann::json::parse(encodeNodeReport(*r));
  EXPECT_EQ(j["gpus"][0]["migDevices"][0]["placement"]["size"], 1);
  EXPECT_EQ(j["allocations"][0]["namespace"], "ml");
}

struct BadReportCase {
  const char* name;
  std::string json;
  std::string expectedMessage;
};

TEST(LedgerNodeReport, RejectsMalformedReportsNamingTheField) {
  const std::vector<BadReportCase> cases = {
      {"not json", "{", "invalid JSON"},
      {"not an object", "[]", "report: must be an object"},
      {"missing node", without("", "node"), "node: is required"},
      {"empty node", mutate("/node", ""), "node: must not be empty"},
      {"sequence as string", mutate("/sequence", "7"), "sequence: must be an integer"},
      {"negative sequence", mutate("/sequence", -1), "sequence: must be >= 0"},
      {"fractional sequence", mutate("/sequence", 1.5), "sequence: must be an integer"},
      {"missing bootId", without("", "bootId"), "bootId: is required"},
      {"gpus not array", mutate("/gpus", "x"), "gpus: must be an array"},
      {"missing gpus", without("", "gpus"), "gpus: is required"},
      {"gpu not object", mutate("/gpus/0", 3), "gpus[0]: must be an object"},
      {"gpu uuid missing", without("/gpus/0", "uuid"), "gpus[0].uuid: is required"},
      {"memory as string", mutate("/gpus/0/memoryMiB", "40GB"), "gpus[0].memoryMiB: must be an integer"},
      {"placement size string", mutate("/gpus/0/migDevices/1/placement/size", "1"),
       "gpus[0].migDevices[1].placement.size: must be an integer"},
      {"placement size zero", mutate("/gpus/0/migDevices/1/placement/size", 0),
       "gpus[0].migDevices[1].placement.size: must be >= 1"},
      {"placement missing", without("/gpus/0/migDevices/0", "placement"),
       "gpus[0].migDevices[0].placement: is required"},
      {"healthy missing", without("/gpus/0/migDevices/0", "healthy"), "gpus[0].migDevices[0].healthy: is required"},
      {"healthy as string", mutate("/gpus/0/migDevices/0/healthy", "true"),
       "gpus[0].migDevices[0].healthy: must be a boolean"},
      {"giId negative", mutate("/gpus/0/migDevices/0/giId", -3), "gpus[0].migDevices[0].giId: must be >= 0"},
      {"duplicate mig uuid", mutate("/gpus/0/migDevices/1/uuid", "MIG-1"),
       "gpus[0].migDevices[1].uuid: duplicate uuid MIG-1"},
      {"mig uuid equals gpu uuid", mutate("/gpus/0/migDevices/0/uuid", "GPU-1"),
       "gpus[0].migDevices[0].uuid: duplicate uuid GPU-1"},
      {"allocation namespace missing", without("/allocations/0", "namespace"), "allocations[0].namespace: is required"},
      {"allocation deviceIds not array", mutate("/allocations/0/deviceIds", "MIG-1"),
       "allocations[0].deviceIds: must be an array"},
      {"allocation empty device id", mutate("/allocations/0/deviceIds/0", ""),
       "allocations[0].deviceIds[0]: must be a non-empty string"},
      {"allocation podUid number", mutate("/allocations/0/podUid", 5), "allocations[0].podUid: must be a string"},
  };
  for (const auto& c : cases) {
    auto r = parseNodeReport(c.json);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.name;
    EXPECT_NE(r.status().message().find(c.expectedMessage), std::string::npos)
        << c.name << ": got \"" << r.status().message() << "\"";
  }
}

TEST(LedgerNodeReport, RejectsReportsBeyondTheSizeLimits) {
  NodeReportLimits limits;
  limits.maxMigDevicesPerGpu = 1;
  auto r = parseNodeReport(kValidReport, limits);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().message(), "gpus[0].migDevices: has more than 1 items");
}

TEST(LedgerNodeReport, AbsentAllocationsAndMigDevicesMeanNone) {
  auto r = parseNodeReport(R"({"node":"n","sequence":0,"bootId":"b","gpus":[{"uuid":"GPU-1","migMode":"disabled"}]})");
  ASSERT_TRUE(r.ok()) << r.status().toString();
  EXPECT_TRUE(r->allocations.empty());
  EXPECT_TRUE(r->gpus[0].migDevices.empty());
}

TEST(LedgerResourceNames, ProfileMapsToTheDevicePluginResourceName) {
  EXPECT_EQ(resourceForProfile("1g.5gb"), "nvidia.com/mig-1g.5gb");
  EXPECT_EQ(resourceForProfile("1g.10gb+me"), "nvidia.com/mig-1g.10gb.me");
  EXPECT_EQ(resourceForProfile("1g.24gb+me.all"), "nvidia.com/mig-1g.24gb.me.all");
  EXPECT_EQ(resourceForProfile("1g.24gb-me"), "nvidia.com/mig-1g.24gb-me");
  EXPECT_TRUE(isMigResource("nvidia.com/mig-3g.20gb"));
  EXPECT_FALSE(isMigResource("nvidia.com/gpu"));
}

}  // namespace
}  // namespace migwarden::ledger
