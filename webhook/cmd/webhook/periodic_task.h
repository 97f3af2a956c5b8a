// Runs a function every `interval` on its own thread (reservation expiry, policy file
// polling). The destructor wakes the thread at once, so shutdown never waits for a tick.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <stop_token>
#include <thread>

namespace migwarden::webhook {

class PeriodicTask {
 public:
  PeriodicTask(std::chrono::milliseconds interval, std::function<void()> task);
  ~PeriodicTask();  // stops and joins
  PeriodicTask(const PeriodicTask&) = delete;
  PeriodicTask& operator=(const PeriodicTask&) = delete;

 private:
  void run(std::stop_token stop);

  const std::chrono::milliseconds interval_;
  const std::function<void()> task_;
  std::mutex mu_;
  std::condition_variable_any wake_;
  std::jthread thread_;  // last: starts after the members above exist
};

}  // namespace migwarden::webhook
