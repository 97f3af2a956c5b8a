#include "webhook/agent/report/backoff.h"

#include <algorithm>

namespace migwarden::agent {

Backoff::Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, uint64_t seed)
    : initial_(std::max(initial, std::chrono::milliseconds(1))),
      max_(std::max(max, initial_)),
      step_(initial_),
      random_(seed) {}

std::chrono::milliseconds Backoff::next() {
  const int64_t step = step_.count();
  std::uniform_int_distribution<int64_t> jitter(0, step / 2);
  const auto delay = std::chrono::milliseconds(step - step / 2 + jitter(random_));
  step_ = std::min(max_, step_ * 2);
  return delay;
}

}  // namespace migwarden::agent
