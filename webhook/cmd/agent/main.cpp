// migwarden-agent: wiring only. Parses the flags, reads the node's identity, opens the
// inputs (NVML, the kubelet), and either runs the report loop with its health port
// until SIGTERM/SIGINT, or (--once) pushes or prints one report.
#include <pthread.h>
#include <signal.h>
#include <spdlog/spdlog.h>

#include <cstdio>
#include <random>
#include <string_view>
#include <thread>
#include <vector>

#include "webhook/agent/report/agent_metrics.h"
#include "webhook/agent/report/device_health.h"
#include "webhook/agent/report/health_server.h"
#include "webhook/agent/report/node_facts.h"
#include "webhook/agent/report/report_loop.h"
#include "webhook/agent/report/report_sender.h"
#include "webhook/cmd/agent/flags.h"
#include "webhook/cmd/agent/source_wiring.h"
#include "webhook/common/clock.h"
#include "webhook/common/env.h"
#include "webhook/common/logging.h"
#include "webhook/common/metrics.h"
#include "webhook/server/readiness.h"

namespace {

namespace mw = migwarden;

int fail(std::string_view what, const mw::Status& status) {
  spdlog::error("{}: {}", what, status.message());
  return 1;
}

mw::agent::ReportLoopOptions loopOptions(const mw::agentcmd::AgentConfig& c, std::string bootId) {
  mw::agent::ReportLoopOptions o;
  o.identity = {c.nodeName, std::move(bootId)};
  o.migConfigState = c.migConfigState;
  o.migConfigStateFile = c.migConfigStateFile;
  o.interval = c.interval;
  o.pollInterval = c.pollInterval;
  o.nvmlRetryInterval = c.nvmlRetryInterval;
  o.seed = std::random_device{}();
  return o;
}

// SIGTERM/SIGINT are taken by one thread with sigwait(), so the report loop can be told
// to stop from ordinary code.
sigset_t blockShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return set;
}

}  // namespace

int main(int argc, char** argv) {
  using mw::agentcmd::ParsedFlags;
  std::vector<std::string_view> args(argv + 1, argv + argc);
  auto parsed = mw::agentcmd::parseFlags(args);
  if (!parsed.ok()) {
    std::fprintf(stderr, "migwarden-agent: %s\n(see migwarden-agent --help)\n", parsed.status().message().c_str());
    return 2;
  }
  if (parsed->action == ParsedFlags::Action::kHelp) {
    std::fputs(mw::agentcmd::helpText().c_str(), stdout);
    return 0;
  }
  if (parsed->action == ParsedFlags::Action::kVersion) {
    std::printf("migwarden-agent %s\n", MIGWARDEN_VERSION);
    return 0;
  }
  const auto& config = parsed->config;
  if (auto s = mw::configureLogging(config.log); !s.ok()) {
    std::fprintf(stderr, "migwarden-agent: %s\n", s.message().c_str());
    return 2;
  }

  // Before any thread starts (the gRPC client starts its own at construction), so that
  // every thread inherits the mask and only the sigwait() thread below takes the signal.
  const sigset_t shutdownSignals = blockShutdownSignals();

  mw::PosixEnv env;
  mw::SystemClock clock;
  mw::MetricsRegistry metrics;
  mw::agent::AgentMetrics agentMetrics(metrics);
  mw::agent::DeviceHealth health;

  auto bootId = mw::agent::readBootId(env, config.bootIdFile);
  if (!bootId.ok()) return fail("cannot read the boot id (--boot-id-file)", bootId.status());
  auto allocations = mw::agentcmd::makeAllocationSource(config);
  mw::agent::HttpsReportSender sender({config.server, config.caFile, config.tokenFile, config.pushTimeout}, env);
  mw::agent::ReportLoop loop(loopOptions(config, *bootId), clock, env, mw::agentcmd::makeNvmlOpener(config),
                             *allocations, sender, health, agentMetrics);

  if (config.once) {
    // One pass, nothing to clean up: SIGTERM/SIGINT may end it the default way.
    pthread_sigmask(SIG_UNBLOCK, &shutdownSignals, nullptr);
    if (config.dryRun) {
      auto report = loop.collectOnce(/*allowMissingAllocations=*/true);
      if (!report.ok()) return fail("cannot build the report", report.status());
      std::fputs(mw::agent::prettyNodeReport(*report).c_str(), stdout);
      return 0;
    }
    if (auto s = loop.pushOnce(); !s.ok()) return fail("--once", s);
    spdlog::info("--once: report accepted by the ledger");
    return 0;
  }

  mw::server::Readiness readiness;
  readiness.add("agent", [&loop] { return loop.readiness(); });
  mw::agent::HealthServer healthServer(readiness, metrics);
  if (auto s = healthServer.start(config.healthListen); !s.ok()) return fail("cannot start the health port", s);
  std::thread signals([&loop, shutdownSignals] {
    int signo = 0;
    while (sigwait(&shutdownSignals, &signo) != 0) {
    }
    spdlog::info("{} received, shutting down", signo == SIGTERM ? "SIGTERM" : "SIGINT");
    loop.stop();
  });
  spdlog::info("migwarden-agent {} for node {} (boot {}) reporting to {} every {}ms", MIGWARDEN_VERSION,
               config.nodeName, *bootId, config.server, config.interval.count());
  loop.run();
  signals.join();
  healthServer.stop();
  spdlog::info("shutdown complete");
  return 0;
}
