// Jittered exponential backoff ("equal jitter": half the current step fixed, half
// random), so agents on many nodes that lost the webhook at the same moment do not come
// back in lockstep, and a delay never collapses to zero.
//
// Thread-safety: not thread-safe; one owner.
#pragma once

#include <chrono>
#include <cstdint>
#include <random>

namespace migwarden::agent {

class Backoff {
 public:
  // Steps double from `initial` up to `max`. `seed` makes the jitter reproducible in tests.
  Backoff(std::chrono::milliseconds initial, std::chrono::milliseconds max, uint64_t seed);

  // The next delay: in [step/2, step], then the step doubles (capped at max).
  std::chrono::milliseconds next();
  // Back to `initial` (after a success).
  void reset() { step_ = initial_; }

 private:
  std::chrono::milliseconds initial_;
  std::chrono::milliseconds max_;
  std::chrono::milliseconds step_;
  std::mt19937_64 random_;
};

}  // namespace migwarden::agent
