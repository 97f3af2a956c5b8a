#include "tests/agent/e2e/agent_process.h"

#include <regex>

namespace migwarden::testing {
namespace {

std::vector<std::string> agentArgv(const std::vector<std::string>& args) {
  std::vector<std::string> argv{builtBinary("migwarden-agent")};
  argv.insert(argv.end(), args.begin(), args.end());
  return argv;
}

}  // namespace

AgentProcess::AgentProcess(const std::vector<std::string>& args, const EnvVars& env) : child_(agentArgv(args), env) {}

int AgentProcess::waitForHealthPort(std::chrono::seconds timeout) {
  static const std::regex line(R"(agent health listening on [^ ]*:(\d+) \(http\))");
  const std::vector<std::string> port = child_.waitForCaptures({line}, timeout);
  return port.empty() ? 0 : std::stoi(port[0]);
}

AgentRun runAgent(const std::vector<std::string>& args, const EnvVars& env, std::chrono::seconds timeout) {
  ProcessResult r = runToCompletion(agentArgv(args), timeout, env);
  return AgentRun{r.signal != 0 ? -1 : r.exitCode, std::move(r.stdoutText), std::move(r.output)};
}

}  // namespace migwarden::testing
