// migwarden-agent's command line: defaults, the node name from NODE_NAME, and errors that
// name the flag.
#include <gtest/gtest.h>

#include "webhook/cmd/agent/flags.h"

namespace migwarden::agentcmd {
namespace {

GetEnv env(std::optional<std::string> nodeName) {
  return [nodeName](const char* name) -> std::optional<std::string> {
    if (std::string_view(name) == "NODE_NAME") return nodeName;
    return std::nullopt;
  };
}

Result<ParsedFlags> parse(std::vector<std::string_view> args, std::optional<std::string> nodeEnv = std::nullopt) {
  return parseFlags(args, env(std::move(nodeEnv)));
}

TEST(AgentFlags, DefaultsMatchTheDocumentation) {
  auto p = parse({"--server", "https://migwarden.svc:8443/", "--token-file", "/t"}, "gpu-a");
  ASSERT_TRUE(p.ok()) << p.status().message();
  const AgentConfig& c = p->config;
  EXPECT_EQ(c.server, "https://migwarden.svc:8443");
  EXPECT_EQ(c.nodeName, "gpu-a");
  EXPECT_EQ(c.interval, std::chrono::seconds(10));
  EXPECT_EQ(c.pollInterval, std::chrono::seconds(2));
  EXPECT_EQ(c.nvmlLib, "libnvidia-ml.so.1");
  EXPECT_EQ(c.xidIgnore, (std::vector<uint64_t>{13, 31, 43, 45, 68, 109}));
  EXPECT_EQ(c.bootIdFile, "/proc/sys/kernel/random/boot_id");
  EXPECT_EQ(c.healthListen.port, 8080);
}

TEST(AgentFlags, TheNodeNameFlagWinsOverTheEnvironment) {
  auto p = parse({"--server=https://h:1", "--token-file=/t", "--node-name=gpu-b"}, "gpu-a");
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p->config.nodeName, "gpu-b");
}

TEST(AgentFlags, ADryRunNeedsNeitherServerNorToken) {
  auto p = parse({"--once", "--dry-run", "--xid-ignore", "", "--node-name", "gpu-a"});
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_TRUE(p->config.xidIgnore.empty());
}

TEST(AgentFlags, BadCommandLinesAreRefusedNamingTheFlag) {
  const std::vector<std::pair<std::vector<std::string_view>, std::string>> cases = {
      {{"--server", "http://h:1", "--token-file", "/t"}, "--server"},
      {{"--server", "https://h:1"}, "--token-file"},
      {{"--token-file", "/t"}, "--server"},
      {{"--server", "https://h:1", "--token-file", "/t", "--interval", "10"}, "--interval"},
      {{"--server", "https://h:1", "--token-file", "/t", "--xid-ignore", "13,x"}, "--xid-ignore"},
      {{"--server", "https://h:1", "--token-file", "/t", "--node-name", "GPU_A"}, "--node-name"},
      {{"--server", "https://h:1", "--token-file", "/t", "--log-format", "xml"}, "--log-format"},
      {{"--server", "https://h:1", "--token-file", "/t", "--health-listen", "nowhere"}, "--health-listen"},
      {{"--dry-run"}, "--dry-run"},
      {{"--server", "https://h:1", "--token-file", "/t", "--mig-config-state", "success", "--mig-config-state-file",
        "/f"},
       "--mig-config-state"},
      {{"--bogus"}, "--bogus"},
  };
  for (const auto& [args, flag] : cases) {
    auto p = parse(args, "gpu-a");
    ASSERT_FALSE(p.ok()) << flag;
    EXPECT_NE(p.status().message().find(flag), std::string::npos) << p.status().message();
  }
}

TEST(AgentFlags, ANodeNameIsRequired) {
  auto p = parse({"--server", "https://h:1", "--token-file", "/t"});
  ASSERT_FALSE(p.ok());
  EXPECT_NE(p.status().message().find("NODE_NAME"), std::string::npos) << p.status().message();
}

TEST(AgentFlags, HelpListsEveryFlag) {
  const std::string help = helpText();
  for (const char* flag : {"--server", "--ca-file", "--token-file", "--node-name", "--interval", "--poll-interval",
                           "--health-listen", "--nvml-lib", "--pod-resources-socket", "--kubelet-checkpoint",
                           "--xid-ignore", "--boot-id-file", "--mig-config-state", "--mig-config-state-file",
                           "--once", "--dry-run", "--log-level", "--log-format"})
    EXPECT_NE(help.find(flag), std::string::npos) << flag;
}

}  // namespace
}  // namespace migwarden::agentcmd
