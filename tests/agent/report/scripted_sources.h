// Scripted stand-ins for the agent's inputs and for the network, so the report loop is
// tested pass by pass with a FakeClock: what NVML, the kubelet and the ledger answer is
// set by the test, and every report "sent" is recorded.
#pragma once

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <vector>

#include "webhook/agent/report/report_loop.h"
#include "webhook/agent/report/report_sender.h"
#include "webhook/agent/sources.h"

namespace migwarden::agent::testing {

// An A100-40GB in MIG mode with two 1g.5gb devices.
GpuInventory a100Inventory();
ledger::Allocation allocation(const std::string& pod, const std::string& device);

class ScriptedInventory final : public InventorySource {
 public:
  Result<GpuInventory> read() override {
    ++reads;
    return next;
  }
  Result<GpuInventory> next = a100Inventory();
  int reads = 0;
};

class ScriptedAllocations final : public AllocationSource {
 public:
  Result<std::vector<ledger::Allocation>> list() override {
    ++calls;
    return next;
  }
  Result<std::vector<ledger::Allocation>> next = std::vector<ledger::Allocation>{};
  int calls = 0;
};

// Answers with `answers` in order, then with `fallback`; records every report.
class RecordingSender final : public ReportSender {
 public:
  Result<PushAnswer> send(const ledger::NodeReport& report) override {
    sent.push_back(report);
    if (answers.empty()) return fallback;
    auto a = answers.front();
    answers.pop_front();
    return a;
  }
  std::deque<Result<PushAnswer>> answers;
  Result<PushAnswer> fallback = PushAnswer{200, "{}"};
  std::vector<ledger::NodeReport> sent;
};

// Events handed over by the test; wait() blocks (bounded) until some are there.
class ScriptedEvents final : public HealthEventSource {
 public:
  void push(HealthEvent e);
  void fail(Status s);
  Result<std::vector<HealthEvent>> wait(std::chrono::milliseconds timeout) override;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<HealthEvent> pending_;
  Status failure_;
};

// A HardwareOpener over a ScriptedInventory the test keeps (the opener hands out a
// forwarding source). `openError` makes opening fail ("NVML missing").
struct ScriptedHardware {
  ScriptedInventory inventory;
  Status openError;
  bool pending = false;
  int opens = 0;
  HardwareOpener opener();
};

}  // namespace migwarden::agent::testing
