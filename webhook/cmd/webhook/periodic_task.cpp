#include "webhook/cmd/webhook/periodic_task.h"

namespace migwarden::webhook {

PeriodicTask::PeriodicTask(std::chrono::milliseconds interval, std::function<void()> task)
    : interval_(interval), task_(std::move(task)), thread_([this](std::stop_token stop) { run(stop); }) {}

PeriodicTask::~PeriodicTask() {
  thread_.request_stop();
  thread_.join();
}

void PeriodicTask::run(std::stop_token stop) {
  std::unique_lock lock(mu_);
  for (;;) {
    // Returns early only when stop is requested (the predicate never becomes true).
    wake_.wait_for(lock, stop, interval_, [] { return false; });
    if (stop.stop_requested()) return;
    task_();
  }
}

}  // namespace migwarden::webhook
