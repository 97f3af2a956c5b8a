#include "webhook/common/metrics.h"

#include <charconv>
#include <cmath>
#include <cstdio>

namespace migwarden {
namespace {

std::string formatDouble(double v) {
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  // Shortest text that round-trips: le="0.00025", not le="0.00025000000000000001".
  char buf[64];
  double magnitude = std::fabs(v);
  bool plain = v == 0 || (magnitude >= 1e-9 && magnitude < 1e15);  // le="0.0001", not le="1e-04"
  auto result = plain ? std::to_chars(buf, buf + sizeof buf, v, std::chars_format::fixed)
                      : std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, result.ptr);
}

std::string escapeLabelValue(std::string_view v) {
  std::string out;
  for (char c : v) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

// Label set with one more pair appended (for histogram "le").
std::string labelsWith(const std::string& rendered, const std::string& extra) {
  if (rendered.empty()) return "{" + extra + "}";
  return rendered.substr(0, rendered.size() - 1) + "," + extra + "}";
}

}  // namespace

void Gauge::add(double d) {
  double cur = value_.load(std::memory_order_relaxed);
  while (!value_.compare_exchange_weak(cur, cur + d, std::memory_order_relaxed)) {
  }
}

Histogram::Histogram(std::vector<double> upperBounds)
    : bounds_(std::move(upperBounds)), counts_(new std::atomic<uint64_t>[bounds_.size() + 1]) {
  for (size_t i = 0; i <= bounds_.size(); ++i) counts_[i].store(0);
}

void Histogram::observe(double v) {
  size_t i = 0;
  while (i < bounds_.size() && v > bounds_[i]) ++i;
  counts_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  if (v > 0) sumNanos_.fetch_add(static_cast<uint64_t>(v * 1e9), std::memory_order_relaxed);
}

std::vector<double> latencyBucketsSeconds() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

std::string renderLabels(const MetricLabels& labels) {
  if (labels.empty()) return "";
  std::string out = "{";
  for (size_t i = 0; i < labels.size(); ++i) {
    if (i) out += ',';
    out += labels[i].first;
    out += "=\"";
    out += escapeLabelValue(labels[i].second);
    out += '"';
  }
  out += '}';
  return out;
}

MetricsRegistry::Family& MetricsRegistry::family(std::string_view name, std::string_view help, Type type) {
  auto it = families_.find(name);
  if (it == families_.end()) {
    it = families_.emplace(std::string(name), Family{type, std::string(help), {}, {}, {}, {}}).first;
  }
  return it->second;
}

Counter& MetricsRegistry::counter(std::string_view name, std::string_view help, const MetricLabels& labels) {
  std::string key = renderLabels(labels);
  {
    std::shared_lock lock(mu_);
    auto it = families_.find(name);
    if (it != families_.end()) {
      auto c = it->second.counters.find(key);
      if (c != it->second.counters.end()) return *c->second;
    }
  }
  std::unique_lock lock(mu_);
  auto& slot = family(name, help, Type::kCounter).counters[key];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& MetricsRegistry::gauge(std::string_view name, std::string_view help, const MetricLabels& labels) {
  std::unique_lock lock(mu_);
  auto& slot = family(name, help, Type::kGauge).gauges[renderLabels(labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

Histogram& MetricsRegistry::histogram(std::string_view name, std::string_view help,
                                      const std::vector<double>& upperBounds, const MetricLabels& labels) {
  std::string key = renderLabels(labels);
  {
    std::shared_lock lock(mu_);
    auto it = families_.find(name);
    if (it != families_.end()) {
      auto h = it->second.histograms.find(key);
      if (h != it->second.histograms.end()) return *h->second;
    }
  }
  std::unique_lock lock(mu_);
  auto& slot = family(name, help, Type::kHistogram).histograms[key];
  if (!slot) slot = std::make_unique<Histogram>(upperBounds);
  return *slot;
}

void MetricsRegistry::gaugeCallback(std::string_view name, std::string_view help, std::function<double()> read,
                                    const MetricLabels& labels) {
  std::unique_lock lock(mu_);
  family(name, help, Type::kGauge).callbacks[renderLabels(labels)] = std::move(read);
}

std::string MetricsRegistry::renderPrometheus() const {
  std::shared_lock lock(mu_);
  std::string out;
  for (const auto& [name, fam] : families_) {
    out += "# HELP " + name + " " + fam.help + "\n";
    out += "# TYPE " + name + " ";
    out += fam.type == Type::kCounter ? "counter" : fam.type == Type::kGauge ? "gauge" : "histogram";
    out += "\n";
    for (const auto& [labels, c] : fam.counters) out += name + labels + " " + std::to_string(c->value()) + "\n";
    for (const auto& [labels, g] : fam.gauges) out += name + labels + " " + formatDouble(g->value()) + "\n";
    for (const auto& [labels, fn] : fam.callbacks) out += name + labels + " " + formatDouble(fn()) + "\n";
    for (const auto& [labels, h] : fam.histograms) {
      uint64_t cumulative = 0;
      const auto& bounds = h->upperBounds();
      for (size_t i = 0; i <= bounds.size(); ++i) {
        cumulative += h->bucketCount(i);
        std::string le = i < bounds.size() ? formatDouble(bounds[i]) : "+Inf";
        out += name + "_bucket" + labelsWith(labels, "le=\"" + le + "\"") + " " + std::to_string(cumulative) + "\n";
      }
      out += name + "_sum" + labels + " " + formatDouble(h->sum()) + "\n";
      out += name + "_count" + labels + " " + std::to_string(h->count()) + "\n";
    }
  }
  return out;
}

}  // namespace migwarden
