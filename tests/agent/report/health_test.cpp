// The agent's two threads besides the loop: the NVML event pump (records XIDs, wakes
// the loop, re-creates a broken event set) and the plain-HTTP health port.
#include <gtest/gtest.h>

#include <future>

#include "tests/agent/report/scripted_sources.h"
#include "tests/support/blackbox/http_client.h"
#include "webhook/agent/report/health_event_pump.h"
#include "webhook/agent/report/health_server.h"

namespace migwarden::agent {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(HealthEventPump, ACriticalEventMarksTheDeviceAndWakesTheLoop) {
  MetricsRegistry registry;
  AgentMetrics metrics(registry);
  DeviceHealth health;
  auto events = std::make_shared<testing::ScriptedEvents>();
  std::promise<void> woken;
  HealthEventPump pump(
      [events]() -> Result<std::unique_ptr<HealthEventSource>> {
        struct Shared final : HealthEventSource {
          std::shared_ptr<testing::ScriptedEvents> target;
          Result<std::vector<HealthEvent>> wait(milliseconds t) override { return target->wait(t); }
        };
        auto s = std::make_unique<Shared>();
        s->target = events;
        return std::unique_ptr<HealthEventSource>(std::move(s));
      },
      health, metrics, [&woken] { woken.set_value(); }, {milliseconds(50), milliseconds(1), milliseconds(2)});
  pump.start();
  events->push({"MIG-a2", 79, "XID 79 (GPU has fallen off the bus)"});
  ASSERT_EQ(woken.get_future().wait_for(seconds(10)), std::future_status::ready);
  pump.stop();
  EXPECT_EQ(health.unhealthy().count("MIG-a2"), 1u);
  EXPECT_EQ(metrics.xidEvents.value(), 1u);
}

TEST(HealthEventPump, ABrokenEventSetIsCreatedAgain) {
  MetricsRegistry registry;
  AgentMetrics metrics(registry);
  DeviceHealth health;
  std::mutex mu;
  std::condition_variable cv;
  int opens = 0;
  HealthEventPump pump(
      [&]() -> Result<std::unique_ptr<HealthEventSource>> {
        std::lock_guard lock(mu);
        ++opens;
        cv.notify_all();
        auto s = std::make_unique<testing::ScriptedEvents>();
        s->fail(Status::Unavailable("nvmlEventSetWait_v2: Unknown Error (NVML error 999)"));
        return std::unique_ptr<HealthEventSource>(std::move(s));
      },
      health, metrics, [] {}, {milliseconds(50), milliseconds(1), milliseconds(2)});
  pump.start();
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, seconds(10), [&] { return opens >= 3; }));
  }
  pump.stop();
  EXPECT_TRUE(health.unhealthy().empty()) << "a broken event set marks nothing unhealthy";
}

TEST(HealthServer, ServesHealthzReadyzWithTheReasonAndMetrics) {
  MetricsRegistry registry;
  AgentMetrics metrics(registry);
  metrics.reportsSent.inc();
  server::Readiness readiness;
  readiness.add("agent", [] { return Status::Unavailable("NVML not loaded: cannot load libnvidia-ml.so.1"); });
  HealthServer healthServer(readiness, registry);
  ASSERT_TRUE(healthServer.start({"127.0.0.1", 0}).ok());
  const int port = healthServer.endpoint().port();

  auto client = migwarden::testing::HttpClient::connectPlain(port);
  ASSERT_NE(client, nullptr);
  auto healthz = client->request("GET", "/healthz");
  ASSERT_TRUE(healthz);
  EXPECT_EQ(healthz->status, 200);
  auto readyz = client->request("GET", "/readyz");
  ASSERT_TRUE(readyz);
  EXPECT_EQ(readyz->status, 503);
  EXPECT_NE(readyz->body.find("cannot load libnvidia-ml.so.1"), std::string::npos) << readyz->body;
  auto scrape = client->request("GET", "/metrics");
  ASSERT_TRUE(scrape);
  EXPECT_NE(scrape->body.find("migwarden_agent_reports_sent_total 1"), std::string::npos) << scrape->body;
  EXPECT_NE(scrape->body.find("migwarden_agent_report_failures_total{reason=\"unauthorized\"} 0"),
            std::string::npos)
      << scrape->body;
  healthServer.stop();
}

}  // namespace
}  // namespace migwarden::agent
