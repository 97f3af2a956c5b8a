#include "webhook/common/metrics.h"

#include <gtest/gtest.h>

namespace migwarden {
namespace {

TEST(Metrics, SameNameAndLabelsIsTheSameCounter) {
  MetricsRegistry r;
  Counter& a = r.counter("x_total", "help", {{"path", "/validate"}});
  Counter& b = r.counter("x_total", "help", {{"path", "/validate"}});
  EXPECT_EQ(&a, &b);
  a.inc();
  b.inc(2);
  EXPECT_EQ(a.value(), 3u);
}

TEST(Metrics, RendersPrometheusTextWithHelpAndType) {
  MetricsRegistry r;
  r.counter("migwarden_requests_total", "Requests.", {{"code", "200"}}).inc(5);
  std::string text = r.renderPrometheus();
  EXPECT_NE(text.find("# HELP migwarden_requests_total Requests.\n"), std::string::npos);
  EXPECT_NE(text.find("# TYPE migwarden_requests_total counter\n"), std::string::npos);
  EXPECT_NE(text.find("migwarden_requests_total{code=\"200\"} 5\n"), std::string::npos);
}

TEST(Metrics, HistogramBucketsAreCumulative) {
  MetricsRegistry r;
  Histogram& h = r.histogram("lat_seconds", "Latency.", {0.001, 0.01});
  h.observe(0.0005);
  h.observe(0.005);
  h.observe(5);
  std::string text = r.renderPrometheus();
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"0.001\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"0.01\"} 2\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_bucket{le=\"+Inf\"} 3\n"), std::string::npos);
  EXPECT_NE(text.find("lat_seconds_count 3\n"), std::string::npos);
}

TEST(Metrics, LabelValuesAreEscaped) {
  EXPECT_EQ(renderLabels({{"m", "a\"b\\c"}}), "{m=\"a\\\"b\\\\c\"}");
}

TEST(Metrics, GaugeCallbackIsReadAtScrapeTime) {
  MetricsRegistry r;
  double v = 1;
  r.gaugeCallback("cert_not_after", "x", [&] { return v; });
  v = 42;
  EXPECT_NE(r.renderPrometheus().find("cert_not_after 42\n"), std::string::npos);
}

}  // namespace
}  // namespace migwarden
