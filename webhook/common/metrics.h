// Metrics in Prometheus text format. Components create their metrics once, at
// construction, and keep the returned references (stable for the registry's lifetime);
// the hot path only touches atomics. Tests assert on values, not on log text.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace migwarden {

using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class Counter {
 public:
  void inc(uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  uint64_t value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<uint64_t> value_{0};
};

class Gauge {
 public:
  void set(double v) { value_.store(v, std::memory_order_relaxed); }
  void add(double d);
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0};
};

// Cumulative histogram with fixed upper bounds (seconds for latencies).
class Histogram {
 public:
  explicit Histogram(std::vector<double> upperBounds);
  void observe(double v);
  const std::vector<double>& upperBounds() const { return bounds_; }
  // Non-cumulative count of bucket i (i == bounds.size() is +Inf).
  uint64_t bucketCount(size_t i) const { return counts_[i].load(std::memory_order_relaxed); }
  uint64_t count() const { return count_.load(std::memory_order_relaxed); }
  double sum() const { return static_cast<double>(sumNanos_.load(std::memory_order_relaxed)) / 1e9; }

 private:
  std::vector<double> bounds_;
  std::unique_ptr<std::atomic<uint64_t>[]> counts_;
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sumNanos_{0};  // sum in units of 1e-9 to stay lock-free
};

// 100 µs .. 10 s, roughly 1-2.5-5 per decade.
std::vector<double> latencyBucketsSeconds();

class MetricsRegistry {
 public:
  // Same (name, labels) returns the same object. `help` is taken from the first call.
  Counter& counter(std::string_view name, std::string_view help, const MetricLabels& labels = {});
  Gauge& gauge(std::string_view name, std::string_view help, const MetricLabels& labels = {});
  Histogram& histogram(std::string_view name, std::string_view help, const std::vector<double>& upperBounds,
                       const MetricLabels& labels = {});
  // A gauge computed when scraped (e.g. certificate not-after).
  void gaugeCallback(std::string_view name, std::string_view help, std::function<double()> read,
                     const MetricLabels& labels = {});

  // Prometheus text exposition format 0.0.4, families sorted by name.
  std::string renderPrometheus() const;

 private:
  enum class Type { kCounter, kGauge, kHistogram };
  struct Family {
    Type type;
    std::string help;
    std::map<std::string, std::unique_ptr<Counter>> counters;  // key: rendered label set
    std::map<std::string, std::unique_ptr<Gauge>> gauges;
    std::map<std::string, std::function<double()>> callbacks;
    std::map<std::string, std::unique_ptr<Histogram>> histograms;
  };
  Family& family(std::string_view name, std::string_view help, Type type);

  mutable std::shared_mutex mu_;
  std::map<std::string, Family, std::less<>> families_;
};

// {a="x",b="y"} with Prometheus escaping; "" for no labels.
std::string renderLabels(const MetricLabels& labels);

}  // namespace migwarden
