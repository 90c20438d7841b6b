#include "service/metrics_registry.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <stdexcept>
#include <thread>
#include <vector>

namespace nser::service {
namespace {

TEST(MetricsRegistry, RendersASmallRegistryExactly) {
  MetricsRegistry registry;
  registry.counter("nser_http_requests_total", "HTTP requests served.", {{"route", "/health"}, {"status", "200"}})
      .inc(3);
  registry.counter("nser_http_requests_total", "HTTP requests served.", {{"status", "404"}, {"route", "unmatched"}})
      .inc();
  registry.gauge("nser_connections", "Open connections.").set(2.5);
  auto& latency = registry.histogram("nser_http_request_duration_seconds", "Request latency.\nIn seconds.",
                                     {0.01, 0.1, 1}, {{"route", "/health"}});
  latency.observe(0.005);
  latency.observe(0.1);
  latency.observe(3);
  registry.callbackGauge("nser_entities", "Entities held by the hub.", {}, [] { return 42.0; });

  EXPECT_EQ(registry.render(),
            "# HELP nser_connections Open connections.\n"
            "# TYPE nser_connections gauge\n"
            "nser_connections 2.5\n"
            "# HELP nser_entities Entities held by the hub.\n"
            "# TYPE nser_entities gauge\n"
            "nser_entities 42\n"
            "# HELP nser_http_request_duration_seconds Request latency.\\nIn seconds.\n"
            "# TYPE nser_http_request_duration_seconds histogram\n"
            "nser_http_request_duration_seconds_bucket{route=\"/health\",le=\"0.01\"} 1\n"
            "nser_http_request_duration_seconds_bucket{route=\"/health\",le=\"0.1\"} 2\n"
            "nser_http_request_duration_seconds_bucket{route=\"/health\",le=\"1\"} 2\n"
            "nser_http_request_duration_seconds_bucket{route=\"/health\",le=\"+Inf\"} 3\n"
            "nser_http_request_duration_seconds_sum{route=\"/health\"} 3.105\n"
            "nser_http_request_duration_seconds_count{route=\"/health\"} 3\n"
            "# HELP nser_http_requests_total HTTP requests served.\n"
            "# TYPE nser_http_requests_total counter\n"
            "nser_http_requests_total{route=\"/health\",status=\"200\"} 3\n"
            "nser_http_requests_total{route=\"unmatched\",status=\"404\"} 1\n");
}

TEST(MetricsRegistry, EmptyRegistryRendersNothing) { EXPECT_EQ(MetricsRegistry().render(), ""); }

TEST(MetricsRegistry, SameNameAndLabelsReturnTheSameHandle) {
  MetricsRegistry registry;
  Counter& first = registry.counter("jobs_total", "Jobs.", {{"kind", "a"}});
  Counter& again = registry.counter("jobs_total", "Jobs.", {{"kind", "a"}});
  Counter& other = registry.counter("jobs_total", "Jobs.", {{"kind", "b"}});
  EXPECT_EQ(&first, &again);
  EXPECT_NE(&first, &other);
  first.inc();
  again.inc(2);
  EXPECT_EQ(first.value(), 3.0);
  EXPECT_EQ(other.value(), 0.0);
}

TEST(MetricsRegistry, ConcurrentIncrementsAreExact) {
  MetricsRegistry registry;
  constexpr int kThreads = 8;
  constexpr int kPerThread = 100000;
  Counter& shared = registry.counter("ops_total", "Operations.");
  Histogram& histogram = registry.histogram("op_seconds", "Op latency.", {0.5});
  Gauge& gauge = registry.gauge("in_flight", "In flight.");
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Each thread also looks its handle up itself, racing registration.
      Counter& mine = registry.counter("ops_total", "Operations.");
      for (int i = 0; i < kPerThread; ++i) {
        mine.inc();
        histogram.observe(t % 2 == 0 ? 0.25 : 1.0);
        gauge.inc();
        gauge.dec();
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(shared.value(), static_cast<double>(kThreads) * kPerThread);
  EXPECT_EQ(histogram.count(), static_cast<std::uint64_t>(kThreads) * kPerThread);
  EXPECT_EQ(histogram.bucketCounts()[0], static_cast<std::uint64_t>(kThreads / 2) * kPerThread);
  EXPECT_DOUBLE_EQ(histogram.sum(), (kThreads / 2) * kPerThread * 0.25 + (kThreads / 2) * kPerThread * 1.0);
  EXPECT_EQ(gauge.value(), 0.0);
  EXPECT_NE(registry.render().find("ops_total 800000\n"), std::string::npos);
}

TEST(MetricsRegistry, HistogramBucketsAreInclusiveAndCumulative) {
  Histogram histogram({1, 2, 5});
  for (double value : {0.0, 1.0, 1.0000001, 2.0, 5.0, 5.5, -3.0}) histogram.observe(value);
  // Per bucket: <=1: 0, 1, -3 | <=2: 1.0000001, 2 | <=5: 5 | +Inf: 5.5
  EXPECT_EQ(histogram.bucketCounts(), (std::vector<std::uint64_t>{3, 2, 1, 1}));
  EXPECT_EQ(histogram.count(), 7u);

  MetricsRegistry registry;
  auto& registered = registry.histogram("size_bytes", "Sizes.", {1, 2, 5});
  for (double value : {0.0, 1.0, 1.0000001, 2.0, 5.0, 5.5, -3.0}) registered.observe(value);
  const std::string text = registry.render();
  EXPECT_NE(text.find("size_bytes_bucket{le=\"1\"} 3\n"), std::string::npos) << text;
  EXPECT_NE(text.find("size_bytes_bucket{le=\"2\"} 5\n"), std::string::npos) << text;
  EXPECT_NE(text.find("size_bytes_bucket{le=\"5\"} 6\n"), std::string::npos) << text;
  EXPECT_NE(text.find("size_bytes_bucket{le=\"+Inf\"} 7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("size_bytes_count 7\n"), std::string::npos) << text;
}

TEST(MetricsRegistry, EscapesLabelValuesAndHelp) {
  EXPECT_EQ(escapeLabelValue("plain"), "plain");
  EXPECT_EQ(escapeLabelValue("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
  MetricsRegistry registry;
  registry.counter("odd_total", "Back\\slash and\nnewline.", {{"path", "C:\\x \"q\"\n"}}).inc();
  EXPECT_EQ(registry.render(),
            "# HELP odd_total Back\\\\slash and\\nnewline.\n"
            "# TYPE odd_total counter\n"
            "odd_total{path=\"C:\\\\x \\\"q\\\"\\n\"} 1\n");
}

TEST(MetricsRegistry, FormatsSpecialValues) {
  EXPECT_EQ(formatMetricValue(0), "0");
  EXPECT_EQ(formatMetricValue(1.5), "1.5");
  EXPECT_EQ(formatMetricValue(-2), "-2");
  EXPECT_EQ(formatMetricValue(std::numeric_limits<double>::infinity()), "+Inf");
  EXPECT_EQ(formatMetricValue(-std::numeric_limits<double>::infinity()), "-Inf");
  EXPECT_EQ(formatMetricValue(std::nan("")), "NaN");
  EXPECT_EQ(formatMetricValue(0.1), "0.1");
}

TEST(MetricsRegistry, CounterAddIgnoresNegativeAmounts) {
  Counter counter;
  counter.inc(2);
  counter.add(0.5);
  counter.add(-10);
  counter.add(std::nan(""));
  EXPECT_DOUBLE_EQ(counter.value(), 2.5);
}

TEST(MetricsRegistry, RejectsInvalidNames) {
  MetricsRegistry registry;
  EXPECT_THROW(registry.counter("", "x"), std::invalid_argument);
  EXPECT_THROW(registry.counter("1abc", "x"), std::invalid_argument);
  EXPECT_THROW(registry.counter("has-dash", "x"), std::invalid_argument);
  EXPECT_THROW(registry.counter("has space", "x"), std::invalid_argument);
  EXPECT_THROW(registry.counter("ok_total", "x", {{"bad-label", "v"}}), std::invalid_argument);
  EXPECT_THROW(registry.counter("ok_total", "x", {{"__reserved", "v"}}), std::invalid_argument);
  EXPECT_THROW(registry.counter("ok_total", "x", {{"9lives", "v"}}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("h_seconds", "x", {1}, {{"le", "1"}}), std::invalid_argument);
  EXPECT_NO_THROW(registry.counter("ns:sub_total", "x", {{"_ok", "v"}}));
  EXPECT_TRUE(isValidMetricName("a:b_c9"));
  EXPECT_FALSE(isValidLabelName("a:b"));
}

TEST(MetricsRegistry, RejectsConflictingRegistrations) {
  MetricsRegistry registry;
  registry.counter("thing_total", "Things.", {{"kind", "a"}});
  EXPECT_THROW(registry.gauge("thing_total", "Things."), std::invalid_argument);
  EXPECT_THROW(registry.counter("thing_total", "Other help.", {{"kind", "a"}}), std::invalid_argument);
  EXPECT_THROW(registry.counter("thing_total", "Things.", {{"sort", "a"}}), std::invalid_argument);
  EXPECT_THROW(registry.counter("thing_total", "Things."), std::invalid_argument);
  registry.histogram("lat_seconds", "Latency.", {1, 2});
  EXPECT_THROW(registry.histogram("lat_seconds", "Latency.", {1, 3}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("unsorted", "x", {2, 1}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("duplicate", "x", {1, 1}), std::invalid_argument);
  EXPECT_THROW(registry.histogram("infinite", "x", {1, std::numeric_limits<double>::infinity()}),
               std::invalid_argument);
  registry.callbackGauge("cb", "Callback.", {}, [] { return 1.0; });
  EXPECT_THROW(registry.gauge("cb", "Callback."), std::invalid_argument);
  EXPECT_THROW(registry.callbackGauge("cb2", "x", {}, nullptr), std::invalid_argument);
}

TEST(MetricsRegistry, CallbacksAreEvaluatedAtScrapeTime) {
  MetricsRegistry registry;
  double entities = 1;
  registry.callbackGauge("entities", "Entities.", {}, [&] { return entities; });
  registry.callbackCounter("rocksdb_bytes_written_total", "Bytes written.", {{"db", "hub"}}, [] { return 4096.0; });
  registry.callbackGauge("broken", "Throws.", {}, []() -> double { throw std::runtime_error("unavailable"); });
  EXPECT_NE(registry.render().find("entities 1\n"), std::string::npos);
  entities = 7;
  const std::string text = registry.render();
  EXPECT_NE(text.find("entities 7\n"), std::string::npos) << text;
  EXPECT_NE(text.find("# TYPE rocksdb_bytes_written_total counter\nrocksdb_bytes_written_total{db=\"hub\"} 4096\n"),
            std::string::npos)
      << text;
  // A failing callback drops only its own sample.
  EXPECT_NE(text.find("# TYPE broken gauge\n# HELP entities"), std::string::npos) << text;
  // Re-registering replaces the function.
  registry.callbackGauge("entities", "Entities.", {}, [] { return 9.0; });
  EXPECT_NE(registry.render().find("entities 9\n"), std::string::npos);
}

}  // namespace
}  // namespace nser::service
