// Path parsing and node-name rules of the ledger API.
#include <gtest/gtest.h>

#include "webhook/ledger/api/ledger_api_routes.h"

namespace migwarden::ledger {
namespace {

TEST(LedgerApiRoutes, PathsMapToEndpoints) {
  EXPECT_EQ(parseLedgerPath("/ledger/v1/nodes").endpoint, LedgerEndpoint::kNodeList);
  LedgerRoute node = parseLedgerPath("/ledger/v1/nodes/gpu-a.example.com");
  EXPECT_EQ(node.endpoint, LedgerEndpoint::kNode);
  EXPECT_EQ(node.node, "gpu-a.example.com");
  for (const char* path : {"/ledger/v1/", "/ledger/v1/nodes/", "/ledger/v1/nodes/a/b", "/ledger/v1/nodes//",
                           "/ledger/v1/Nodes", "/ledger/v1nodes", "/mutate"}) {
    EXPECT_EQ(parseLedgerPath(path).endpoint, LedgerEndpoint::kUnknown) << path;
  }
}

TEST(LedgerApiRoutes, NodeNamesAreDns1123Subdomains) {
  for (const char* ok : {"gpu-a", "a", "0", "ip-10-0-0-1.ec2.internal", "node-1.gpu-pool"}) {
    EXPECT_TRUE(validateNodeName(ok).ok()) << ok;
  }
  const std::string tooLong(254, 'a');
  for (const std::string& bad : {std::string(), std::string("GPU-A"), std::string("gpu_a"), std::string("-gpu"),
                                std::string("gpu-"), std::string("gpu..a"), std::string(".gpu"), std::string("gpu."),
                                std::string("gpu%2Fa"), std::string("gpu a"), tooLong}) {
    Status s = validateNodeName(bad);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << bad;
    EXPECT_LT(s.message().size(), 200u) << "echoes at most a prefix of the name";
  }
  EXPECT_TRUE(validateNodeName(std::string(253, 'a')).ok());
}

}  // namespace
}  // namespace migwarden::ledger
