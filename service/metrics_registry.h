// A Prometheus metrics registry for the services: counters, gauges,
// histograms and callback metrics (evaluated at scrape time), rendered in the
// Prometheus text exposition format 0.0.4.
//
// Usage: obtain a handle once, then update it on the hot path without locks:
//   auto& requests = registry.counter("nser_http_requests_total", "HTTP requests served.",
//                                     {{"route", "/x"}, {"status", "200"}});
//   requests.inc();
//   auto& latency = registry.histogram("nser_http_request_duration_seconds", "Request latency.",
//                                      MetricsRegistry::defaultLatencyBuckets(), {{"route", "/x"}});
//   latency.observe(0.004);
//   registry.callbackGauge("nser_hub_entities", "Entities held.", {}, [&] { return double(store.entities()); });
//
// A family is one metric name with its HELP text, TYPE and (histograms) bucket
// bounds; its series are the label sets registered under it. Asking again for
// the same name and labels returns the same handle; handles stay valid for the
// registry's lifetime. All series of a family must use the same label names.
// Rendering is deterministic: families sorted by name, series by label values
// (labels ordered by name), histogram buckets ascending then "+Inf".
//
// Errors: an invalid metric or label name (Prometheus syntax; label names
// starting "__" and a histogram label "le" are reserved), a name registered
// again with another type, HELP text, bucket list or label names, or unsorted
// buckets throw std::invalid_argument naming the metric.
//
// Threading: every member is safe to call concurrently. Updates through a
// handle are atomic operations; registration and render() take a mutex.
// Callbacks run inside render() under that mutex: they must not call back
// into the registry; a callback that throws omits its series from that scrape.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace nser::service {

// Label name -> value; ordered by name, which fixes the rendered order.
using MetricLabels = std::map<std::string, std::string>;

// Monotonic. inc() is one atomic add on an integer; add() accepts fractions
// (e.g. seconds) and ignores negative or NaN amounts (a counter never goes down).
class Counter {
 public:
  void inc(std::uint64_t amount = 1) { whole_.fetch_add(amount, std::memory_order_relaxed); }
  void add(double amount);
  double value() const;

 private:
  friend class MetricsRegistry;
  std::atomic<std::uint64_t> whole_{0};
  std::atomic<double> fraction_{0.0};
};

class Gauge {
 public:
  void set(double value) { value_.store(value, std::memory_order_relaxed); }
  void inc(double amount = 1.0) { value_.fetch_add(amount, std::memory_order_relaxed); }
  void dec(double amount = 1.0) { value_.fetch_sub(amount, std::memory_order_relaxed); }
  double value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Fixed buckets with inclusive upper bounds (a value equal to a bound counts in
// that bucket, as Prometheus' "le" says); values above the last bound count
// only in "+Inf". Rendered cumulatively with _sum and _count.
class Histogram {
 public:
  explicit Histogram(std::vector<double> upperBounds);
  void observe(double value);

  // Per-bucket (not cumulative) counts, the last one for +Inf.
  std::vector<std::uint64_t> bucketCounts() const;
  double sum() const { return sum_.load(std::memory_order_relaxed); }
  std::uint64_t count() const;
  const std::vector<double>& upperBounds() const { return upperBounds_; }

 private:
  std::vector<double> upperBounds_;
  std::unique_ptr<std::atomic<std::uint64_t>[]> counts_;  // upperBounds_.size() + 1
  std::atomic<double> sum_{0.0};
};

class MetricsRegistry {
 public:
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  Counter& counter(const std::string& name, const std::string& help, const MetricLabels& labels = {});
  Gauge& gauge(const std::string& name, const std::string& help, const MetricLabels& labels = {});
  // `upperBounds` strictly increasing and finite; +Inf is implicit.
  Histogram& histogram(const std::string& name, const std::string& help, const std::vector<double>& upperBounds,
                       const MetricLabels& labels = {});

  // A series whose value is read by calling `read` at render time (entity
  // counts, RocksDB statistics). Registering the same name and labels again
  // replaces the function.
  void callbackGauge(const std::string& name, const std::string& help, const MetricLabels& labels,
                     std::function<double()> read);
  void callbackCounter(const std::string& name, const std::string& help, const MetricLabels& labels,
                       std::function<double()> read);

  // The text exposition format 0.0.4 (Content-Type:
  // "text/plain; version=0.0.4; charset=utf-8"); ends with a newline when not empty.
  std::string render() const;

  // Seconds: 0.5 ms to 10 s, for request latency.
  static const std::vector<double>& defaultLatencyBuckets();

 private:
  struct Family;
  Family& family(const std::string& name, const std::string& help, int type, const MetricLabels& labels,
                 const std::vector<double>* upperBounds);

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Family>> families_;
};

// Exposed for tests and for other renderers.
bool isValidMetricName(const std::string& name);
bool isValidLabelName(const std::string& name);
// Label value escaping of the text format: backslash, double quote, newline.
std::string escapeLabelValue(const std::string& value);
// A sample value as the text format writes it: shortest round-trip decimal,
// "+Inf", "-Inf", "NaN".
std::string formatMetricValue(double value);

}  // namespace nser::service
