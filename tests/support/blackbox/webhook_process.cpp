#include "tests/support/blackbox/webhook_process.h"

#include <gtest/gtest.h>

#include <regex>

namespace migwarden::testing {
namespace {

bool hasFlag(const std::vector<std::string>& args, const std::string& flag) {
  for (const auto& a : args)
    if (a == flag || a.rfind(flag + "=", 0) == 0) return true;
  return false;
}

}  // namespace

WebhookProcess::WebhookProcess(std::vector<std::string> args) {
  std::vector<std::string> argv{builtBinary("migwarden-webhook")};
  if (!hasFlag(args, "--listen")) argv.insert(argv.end(), {"--listen", "127.0.0.1:0"});
  if (!hasFlag(args, "--health-listen")) argv.insert(argv.end(), {"--health-listen", "127.0.0.1:0"});
  argv.insert(argv.end(), args.begin(), args.end());
  child_ = std::make_unique<ChildProcess>(argv);

  // The documented, fixed log lines (docs/webhook-server.md).
  static const std::regex tlsLine(R"(webhook listening on [^ ]*:(\d+) \(tls\))");
  static const std::regex healthLine(R"(health listening on [^ ]*:(\d+) \(http\))");
  const std::vector<std::string> ports = child_->waitForCaptures({tlsLine, healthLine});
  if (ports.size() != 2) {
    ADD_FAILURE() << "migwarden-webhook did not start; output:\n" << child_->output();
    return;
  }
  tlsPort_ = std::stoi(ports[0]);
  healthPort_ = std::stoi(ports[1]);
}

}  // namespace migwarden::testing
