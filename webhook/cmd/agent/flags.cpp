#include "webhook/cmd/agent/flags.h"

#include "webhook/common/flag_table.h"

#include <cstdlib>

namespace migwarden::agentcmd {
namespace {

using std::chrono::milliseconds;

using FlagSpec = migwarden::FlagSpec<AgentConfig>;

auto durationFlag(std::string_view flag, milliseconds min, milliseconds AgentConfig::*field) {
  return [flag, min, field](AgentConfig& c, std::string_view v) -> Status {
    auto d = parseDuration(v);
    if (!d.ok() || *d < min || *d > std::chrono::hours(24))
      return badFlagValue(flag, "must be a duration from " + std::to_string(min.count()) + "ms to 24h such as 10s or 1m30s", v);
    c.*field = *d;
    return Status::Ok();
  };
}

auto pathFlag(std::string_view flag, std::string AgentConfig::*field, bool allowEmpty = false) {
  return [flag, field, allowEmpty](AgentConfig& c, std::string_view v) -> Status {
    if (v.empty() && !allowEmpty) return badFlagValue(flag, "must not be empty", v);
    c.*field = std::string(v);
    return Status::Ok();
  };
}

auto switchFlag(bool AgentConfig::*field) {
  return [field](AgentConfig& c, std::string_view) {
    c.*field = true;
    return Status::Ok();
  };
}

// Kubernetes node names are DNS subdomains (RFC 1123).
bool validNodeName(std::string_view n) {
  if (n.empty() || n.size() > 253) return false;
  for (char ch : n)
    if (!((ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-' || ch == '.')) return false;
  auto alnum = [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9'); };
  return alnum(n.front()) && alnum(n.back());
}

Status setServer(AgentConfig& c, std::string_view v) {
  if (!v.starts_with("https://") || v.size() <= 8)
    return badFlagValue("server", "must be an https:// URL such as https://migwarden.migwarden-system.svc:8443", v);
  std::string s(v);
  while (s.size() > 8 && s.back() == '/') s.pop_back();  // the agent appends /ledger/v1/...
  if (s.find('/', 8) != std::string::npos) return badFlagValue("server", "must not contain a path", v);
  c.server = std::move(s);
  return Status::Ok();
}

Status setXidIgnore(AgentConfig& c, std::string_view v) {
  std::vector<uint64_t> xids;
  while (!v.empty()) {
    const size_t comma = v.find(',');
    std::string_view item = v.substr(0, comma);
    auto n = parseUnsigned(item);
    if (!n.ok() || *n > 100000) return badFlagValue("xid-ignore", "must be a comma-separated list of XID numbers", item);
    xids.push_back(*n);
    v = comma == std::string_view::npos ? std::string_view() : v.substr(comma + 1);
  }
  c.xidIgnore = std::move(xids);
  return Status::Ok();
}

const std::vector<FlagSpec>& flagTable() {
  static const std::vector<FlagSpec> kFlags = [] {
    std::vector<FlagSpec> table = {
      {"server", "URL", "migwarden-webhook's ledger API, https://HOST:PORT. Required unless --once --dry-run.",
       setServer},
      {"ca-file", "FILE", "CA bundle (PEM) the webhook's certificate must chain to. Default: the system roots.",
       pathFlag("ca-file", &AgentConfig::caFile)},
      {"token-file", "FILE",
       "Bearer token (JWT) for the ledger API, re-read before every push so rotated projected tokens are "
       "picked up. Required unless --once --dry-run. Never logged.",
       pathFlag("token-file", &AgentConfig::tokenFile)},
      {"node-name", "NAME", "This node's name. Default: $NODE_NAME (set it from spec.nodeName via the downward API).",
       [](AgentConfig& c, std::string_view v) -> Status {
         if (!validNodeName(v)) return badFlagValue("node-name", "must be a Kubernetes node name (lower-case DNS name)", v);
         c.nodeName = std::string(v);
         return Status::Ok();
       }},
      {"interval", "DURATION", "Heartbeat: a full report at least this often, even when nothing changed. Default 10s.",
       durationFlag("interval", milliseconds(100), &AgentConfig::interval)},
      {"poll-interval", "DURATION",
       "How often NVML and the kubelet are read; a difference is pushed at once. Default 2s.",
       durationFlag("poll-interval", milliseconds(10), &AgentConfig::pollInterval)},
      {"nvml-retry-interval", "DURATION", "While NVML cannot be loaded, how often to try again. Default 30s.",
       durationFlag("nvml-retry-interval", milliseconds(10), &AgentConfig::nvmlRetryInterval)},
      {"push-timeout", "DURATION", "Deadline of one push (connect, TLS, request, answer). Default 10s.",
       durationFlag("push-timeout", milliseconds(10), &AgentConfig::pushTimeout)},
      {"health-listen", "HOST:PORT", "Plain-HTTP address for /healthz, /readyz and /metrics. Default 0.0.0.0:8080.",
       [](AgentConfig& c, std::string_view v) -> Status {
         auto a = server::parseListenAddress(v);
         if (!a.ok()) return Status::InvalidArgument("--health-listen: " + a.status().message());
         c.healthListen = *a;
         return Status::Ok();
       }},
      {"nvml-lib", "PATH", "NVML library to dlopen. Default libnvidia-ml.so.1 (the driver's, found by the loader).",
       pathFlag("nvml-lib", &AgentConfig::nvmlLib)},
      {"pod-resources-socket", "PATH",
       "The kubelet's pod-resources gRPC socket. Default /var/lib/kubelet/pod-resources/kubelet.sock.",
       pathFlag("pod-resources-socket", &AgentConfig::podResourcesSocket)},
      {"kubelet-checkpoint", "PATH",
       "The kubelet's device-manager checkpoint, read for pod uids when present; empty = do not read. Default "
       "/var/lib/kubelet/device-plugins/kubelet_internal_checkpoint.",
       pathFlag("kubelet-checkpoint", &AgentConfig::kubeletCheckpoint, true)},
      {"xid-ignore", "LIST",
       "XID errors that do not make a device unhealthy (comma list; empty = none). Default 13,31,43,45,68,109, "
       "the NVIDIA device plugin's list (application errors, not hardware faults).",
       setXidIgnore},
      {"boot-id-file", "FILE", "Where the kernel's boot id is read. Default /proc/sys/kernel/random/boot_id.",
       pathFlag("boot-id-file", &AgentConfig::bootIdFile)},
      {"mig-config-state", "STATE",
       "Fixed migConfigState to report (success, pending, rebooting, failed). Default: unknown (\"\"), or "
       "--mig-config-state-file. NVML's pending MIG mode change reports \"pending\" either way.",
       pathFlag("mig-config-state", &AgentConfig::migConfigState)},
      {"mig-config-state-file", "FILE",
       "Labels file (downward-API key=\"value\" lines) holding mig-manager's nvidia.com/mig.config.state node "
       "label, re-read every poll.",
       pathFlag("mig-config-state-file", &AgentConfig::migConfigStateFile)},
      {"once", "", "Read once, push one report and exit: 0 when the ledger accepted it, 1 otherwise.",
       switchFlag(&AgentConfig::once)},
      {"dry-run", "", "With --once: print the report as JSON on stdout instead of sending it (no server needed).",
       switchFlag(&AgentConfig::dryRun)},
    };
    for (auto& f : logFlags(&AgentConfig::log, "trace, debug, info, warn or error. Default info."))
      table.push_back(std::move(f));
    return table;
  }();
  return kFlags;
}

Status validate(AgentConfig& c, const GetEnv& getEnv) {
  if (c.nodeName.empty()) {
    auto env = getEnv("NODE_NAME");
    if (!env || env->empty()) return Status::InvalidArgument("--node-name: required (or set NODE_NAME)");
    if (!validNodeName(*env)) return badFlagValue("node-name", "NODE_NAME must be a Kubernetes node name", *env);
    c.nodeName = *env;
  }
  if (c.dryRun && !c.once) return Status::InvalidArgument("--dry-run: only with --once");
  if (!c.dryRun) {
    if (c.server.empty()) return Status::InvalidArgument("--server: required");
    if (c.tokenFile.empty()) return Status::InvalidArgument("--token-file: required");
  }
  if (!c.migConfigState.empty() && !c.migConfigStateFile.empty())
    return Status::InvalidArgument("--mig-config-state and --mig-config-state-file: give one, not both");
  return Status::Ok();
}

}  // namespace

std::optional<std::string> processEnv(const char* name) {
  const char* v = std::getenv(name);
  if (v == nullptr) return std::nullopt;
  return std::string(v);
}

Result<ParsedFlags> parseFlags(const std::vector<std::string_view>& args, const GetEnv& getEnv) {
  ParsedFlags out;
  auto action = parseFlagTable(flagTable(), args, out.config);
  if (!action.ok()) return action.status();
  if (*action == FlagAction::kHelp) {
    out.action = ParsedFlags::Action::kHelp;
    return out;
  }
  if (*action == FlagAction::kVersion) {
    out.action = ParsedFlags::Action::kVersion;
    return out;
  }
  MIGWARDEN_RETURN_IF_ERROR(validate(out.config, getEnv));
  return out;
}

std::string helpText() {
  std::string out =
      "usage: migwarden-agent --server https://HOST:PORT --token-file FILE [--ca-file FILE] [flags]\n"
      "       migwarden-agent --once --dry-run [flags]\n\n"
      "The migwarden node agent: reads the GPUs and MIG devices through NVML, the devices the kubelet\n"
      "handed to pods through its pod-resources API, and XID health events, and pushes a full node\n"
      "report to the webhook's ledger (PUT /ledger/v1/nodes/{node}) on every change and every\n"
      "--interval. Flags take --name VALUE or --name=VALUE. Durations need a unit: 500ms, 10s, 1m30s.\n\n"
      "flags:\n";
  out += renderFlagHelp(flagTable());
  out +=
      "\nExit status: 0 after SIGTERM/SIGINT or a successful --once, 1 when startup or --once fails,\n"
      "2 for a bad command line.\n";
  return out;
}

}  // namespace migwarden::agentcmd
