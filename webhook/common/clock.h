// Clock: the only way code reads time, so tests can inject a fake one (reservation
// TTLs, token expiry, certificate not-after checks).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace migwarden {

class Clock {
 public:
  virtual ~Clock() = default;
  // Wall-clock time (UTC); for timestamps, token exp/nbf, expiry records.
  virtual std::chrono::system_clock::time_point now() const = 0;
  // Monotonic time; for deadlines and latency measurement.
  virtual std::chrono::steady_clock::time_point steadyNow() const = 0;
};

class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point now() const override { return std::chrono::system_clock::now(); }
  std::chrono::steady_clock::time_point steadyNow() const override { return std::chrono::steady_clock::now(); }
};

// A clock that only moves when told to. Thread-safe.
class FakeClock final : public Clock {
 public:
  explicit FakeClock(std::chrono::system_clock::time_point start = std::chrono::system_clock::time_point(
                         std::chrono::seconds(1'700'000'000)))
      : wallNanos_(start.time_since_epoch().count()) {}

  std::chrono::system_clock::time_point now() const override {
    return std::chrono::system_clock::time_point(std::chrono::system_clock::duration(wallNanos_.load()));
  }
  std::chrono::steady_clock::time_point steadyNow() const override {
    return std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(steadyNanos_.load()));
  }
  void advance(std::chrono::nanoseconds d) {
    wallNanos_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(d).count();
    steadyNanos_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(d).count();
  }

 private:
  std::atomic<int64_t> wallNanos_;
  std::atomic<int64_t> steadyNanos_{0};
};

}  // namespace migwarden
