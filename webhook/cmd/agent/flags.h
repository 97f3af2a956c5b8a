// migwarden-agent's command line: a typed config, parsed and validated once. Every flag,
// its default and its help text live in one table (flags.cpp) that also renders --help.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "webhook/common/logging.h"
#include "webhook/common/status.h"
#include "webhook/server/listener.h"

namespace migwarden::agentcmd {

struct AgentConfig {
  std::string server;     // https://host:port of migwarden-webhook
  std::string caFile;     // trust anchors for its certificate; "" = system roots
  std::string tokenFile;  // Bearer token, re-read on every push
  std::string nodeName;   // --node-name, else $NODE_NAME
  std::chrono::milliseconds interval{10'000};
  std::chrono::milliseconds pollInterval{2'000};
  std::chrono::milliseconds nvmlRetryInterval{30'000};
  std::chrono::milliseconds pushTimeout{10'000};
  server::ListenAddress healthListen{"0.0.0.0", 8080};
  std::string nvmlLib = "libnvidia-ml.so.1";
  std::string podResourcesSocket = "/var/lib/kubelet/pod-resources/kubelet.sock";
  std::string kubeletCheckpoint = "/var/lib/kubelet/device-plugins/kubelet_internal_checkpoint";  // "" = none
  std::vector<uint64_t> xidIgnore{13, 31, 43, 45, 68, 109};  // the NVIDIA device plugin's list
  std::string bootIdFile = "/proc/sys/kernel/random/boot_id";
  std::string migConfigState;      // fixed value, or
  std::string migConfigStateFile;  // labels file (key="value" lines)
  bool once = false;
  bool dryRun = false;
  LogOptions log;
};

struct ParsedFlags {
  enum class Action { kRun, kHelp, kVersion };
  Action action = Action::kRun;
  AgentConfig config;
};

// Reads an environment variable (injectable for tests); nullopt when unset.
using GetEnv = std::function<std::optional<std::string>(const char* name)>;
std::optional<std::string> processEnv(const char* name);

// Errors name the flag ("--interval: must be a duration such as 10s, got \"x\"").
Result<ParsedFlags> parseFlags(const std::vector<std::string_view>& args, const GetEnv& getEnv = processEnv);

// The --help text (every flag with its default).
std::string helpText();

// Durations ("10s", "1m30s") are parsed by migwarden::parseDuration (webhook/common/flag_table.h).

}  // namespace migwarden::agentcmd
