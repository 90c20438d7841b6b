#include "service/metrics_registry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <stdexcept>

namespace nser::service {

namespace {

enum class FamilyType { Counter, Gauge, Histogram };

const char* typeName(FamilyType type) {
  switch (type) {
    case FamilyType::Counter: return "counter";
    case FamilyType::Gauge: return "gauge";
    case FamilyType::Histogram: return "histogram";
  }
  return "untyped";
}

bool isNameStart(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }
bool isNameChar(char c) { return isNameStart(c) || (c >= '0' && c <= '9'); }

std::string escapeHelp(const std::string& help) {
  std::string out;
  for (char c : help) {
    if (c == '\\') out += "\\\\";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

// {a="x",b="y"} with `extra` (the histogram's le) last; "" when no labels.
std::string renderLabels(const MetricLabels& labels, const std::string& extraName = {},
                         const std::string& extraValue = {}) {
  if (labels.empty() && extraName.empty()) return {};
  std::string out = "{";
  bool first = true;
  auto add = [&](const std::string& name, const std::string& value) {
    if (!first) out += ',';
    first = false;
    out += name;
    out += "=\"";
    out += escapeLabelValue(value);
    out += '"';
  };
  for (const auto& [name, value] : labels) add(name, value);
  if (!extraName.empty()) add(extraName, extraValue);
  out += '}';
  return out;
}

}  // namespace

void Counter::add(double amount) {
  if (!(amount > 0.0)) return;  // negative, zero or NaN
  fraction_.fetch_add(amount, std::memory_order_relaxed);
}

double Counter::value() const {
  return static_cast<double>(whole_.load(std::memory_order_relaxed)) + fraction_.load(std::memory_order_relaxed);
}

Histogram::Histogram(std::vector<double> upperBounds)
    : upperBounds_(std::move(upperBounds)),
      counts_(std::make_unique<std::atomic<std::uint64_t>[]>(upperBounds_.size() + 1)) {
  for (std::size_t i = 0; i <= upperBounds_.size(); ++i) counts_[i].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double value) {
  // First bound >= value: "le" is inclusive. NaN lands in +Inf.
  const auto bound = std::lower_bound(upperBounds_.begin(), upperBounds_.end(), value);
  const std::size_t index = std::isnan(value) ? upperBounds_.size() : static_cast<std::size_t>(bound - upperBounds_.begin());
  counts_[index].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

std::vector<std::uint64_t> Histogram::bucketCounts() const {
  std::vector<std::uint64_t> counts(upperBounds_.size() + 1);
  for (std::size_t i = 0; i < counts.size(); ++i) counts[i] = counts_[i].load(std::memory_order_relaxed);
  return counts;
}

std::uint64_t Histogram::count() const {
  std::uint64_t total = 0;
  for (std::uint64_t c : bucketCounts()) total += c;
  return total;
}

struct MetricsRegistry::Family {
  std::string name;
  std::string help;
  FamilyType type = FamilyType::Counter;
  std::vector<double> upperBounds;
  std::vector<std::string> labelNames;
  struct Series {
    std::unique_ptr<Counter> counter;
    std::unique_ptr<Gauge> gauge;
    std::unique_ptr<Histogram> histogram;
    std::function<double()> read;
  };
  std::map<MetricLabels, Series> series;
};

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

bool isValidMetricName(const std::string& name) {
  if (name.empty() || !(isNameStart(name[0]) || name[0] == ':')) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return isNameChar(c) || c == ':'; });
}

bool isValidLabelName(const std::string& name) {
  if (name.empty() || !isNameStart(name[0]) || name.rfind("__", 0) == 0) return false;
  return std::all_of(name.begin(), name.end(), isNameChar);
}

std::string escapeLabelValue(const std::string& value) {
  std::string out;
  out.reserve(value.size());
  for (char c : value) {
    if (c == '\\') out += "\\\\";
    else if (c == '"') out += "\\\"";
    else if (c == '\n') out += "\\n";
    else out += c;
  }
  return out;
}

std::string formatMetricValue(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::isinf(value)) return value > 0 ? "+Inf" : "-Inf";
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

MetricsRegistry::Family& MetricsRegistry::family(const std::string& name, const std::string& help, int type,
                                                 const MetricLabels& labels, const std::vector<double>* upperBounds) {
  const auto familyType = static_cast<FamilyType>(type);
  if (!isValidMetricName(name)) throw std::invalid_argument("metric '" + name + "': invalid metric name");
  std::vector<std::string> labelNames;
  for (const auto& [label, value] : labels) {
    if (!isValidLabelName(label)) throw std::invalid_argument("metric '" + name + "': invalid label name '" + label + "'");
    if (familyType == FamilyType::Histogram && label == "le") {
      throw std::invalid_argument("metric '" + name + "': label 'le' is reserved for histogram buckets");
    }
    labelNames.push_back(label);
  }
  if (upperBounds != nullptr) {
    for (std::size_t i = 0; i < upperBounds->size(); ++i) {
      const double bound = (*upperBounds)[i];
      if (!std::isfinite(bound) || (i > 0 && !(bound > (*upperBounds)[i - 1]))) {
        throw std::invalid_argument("metric '" + name + "': bucket bounds must be finite and strictly increasing");
      }
    }
  }
  auto& slot = families_[name];
  if (!slot) {
    slot = std::make_unique<Family>();
    slot->name = name;
    slot->help = help;
    slot->type = familyType;
    if (upperBounds != nullptr) slot->upperBounds = *upperBounds;
    slot->labelNames = labelNames;
    return *slot;
  }
  Family& existing = *slot;
  if (existing.type != familyType) {
    throw std::invalid_argument("metric '" + name + "': already registered as a " + typeName(existing.type));
  }
  if (existing.help != help) throw std::invalid_argument("metric '" + name + "': registered again with other HELP text");
  if (upperBounds != nullptr && existing.upperBounds != *upperBounds) {
    throw std::invalid_argument("metric '" + name + "': registered again with other buckets");
  }
  if (existing.labelNames != labelNames) {
    throw std::invalid_argument("metric '" + name + "': every series of a family needs the same label names");
  }
  return existing;
}

Counter& MetricsRegistry::counter(const std::string& name, const std::string& help, const MetricLabels& labels) {
  const std::lock_guard<std::mutex> lock(mutex_);
  auto& series = family(name, help, static_cast<int>(FamilyType::Counter), labels, nullptr).series[labels];
  if (series.read) throw std::invalid_argument("metric '" + name + "': this series is a callback");
  if (!series.counter) series.counter = std::make_unique<Counter>();
  return *series.counter;
}

Gauge& MetricsRegistry::gauge(const std::string& name, const std::string& help, const MetricLabels& labels) {
  const std::lock_guard<std::mutex> lock(mutex_);
  auto& series = family(name, help, static_cast<int>(FamilyType::Gauge), labels, nullptr).series[labels];
  if (series.read) throw std::invalid_argument("metric '" + name + "': this series is a callback");
  if (!series.gauge) series.gauge = std::make_unique<Gauge>();
  return *series.gauge;
}

Histogram& MetricsRegistry::histogram(const std::string& name, const std::string& help,
                                      const std::vector<double>& upperBounds, const MetricLabels& labels) {
  const std::lock_guard<std::mutex> lock(mutex_);
  auto& series = family(name, help, static_cast<int>(FamilyType::Histogram), labels, &upperBounds).series[labels];
  if (!series.histogram) series.histogram = std::make_unique<Histogram>(upperBounds);
  return *series.histogram;
}

void MetricsRegistry::callbackGauge(const std::string& name, const std::string& help, const MetricLabels& labels,
                                    std::function<double()> read) {
  if (!read) throw std::invalid_argument("metric '" + name + "': empty callback");
  const std::lock_guard<std::mutex> lock(mutex_);
  auto& series = family(name, help, static_cast<int>(FamilyType::Gauge), labels, nullptr).series[labels];
  if (series.gauge) throw std::invalid_argument("metric '" + name + "': this series is not a callback");
  series.read = std::move(read);
}

void MetricsRegistry::callbackCounter(const std::string& name, const std::string& help, const MetricLabels& labels,
                                      std::function<double()> read) {
  if (!read) throw std::invalid_argument("metric '" + name + "': empty callback");
  const std::lock_guard<std::mutex> lock(mutex_);
  auto& series = family(name, help, static_cast<int>(FamilyType::Counter), labels, nullptr).series[labels];
  if (series.counter) throw std::invalid_argument("metric '" + name + "': this series is not a callback");
  series.read = std::move(read);
}

std::string MetricsRegistry::render() const {
  const std::lock_guard<std::mutex> lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) {
    out += "# HELP " + name + " " + escapeHelp(family->help) + "\n";
    out += "# TYPE " + name + " " + typeName(family->type) + "\n";
    for (const auto& [labels, series] : family->series) {
      if (series.histogram) {
        const Histogram& histogram = *series.histogram;
        const std::vector<std::uint64_t> counts = histogram.bucketCounts();
        std::uint64_t cumulative = 0;
        for (std::size_t i = 0; i < counts.size(); ++i) {
          cumulative += counts[i];
          const std::string le = i < histogram.upperBounds().size() ? formatMetricValue(histogram.upperBounds()[i]) : "+Inf";
          out += name + "_bucket" + renderLabels(labels, "le", le) + " " + std::to_string(cumulative) + "\n";
        }
        // _count is the +Inf bucket, so the two always agree within one scrape.
        out += name + "_sum" + renderLabels(labels) + " " + formatMetricValue(histogram.sum()) + "\n";
        out += name + "_count" + renderLabels(labels) + " " + std::to_string(cumulative) + "\n";
        continue;
      }
      std::string value;
      if (series.counter) {
        const double fraction = series.counter->fraction_.load(std::memory_order_relaxed);
        const std::uint64_t whole = series.counter->whole_.load(std::memory_order_relaxed);
        value = fraction == 0.0 ? std::to_string(whole) : formatMetricValue(static_cast<double>(whole) + fraction);
      } else if (series.gauge) {
        value = formatMetricValue(series.gauge->value());
      } else if (series.read) {
        try {
          value = formatMetricValue(series.read());
        } catch (const std::exception&) {
          continue;  // a failing source must not break the whole scrape
        }
      }
      out += name + renderLabels(labels) + " " + value + "\n";
    }
  }
  return out;
}

const std::vector<double>& MetricsRegistry::defaultLatencyBuckets() {
  static const std::vector<double> buckets = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                              0.05,   0.1,   0.25,   0.5,   1.0,  2.5, 5.0, 10.0};
  return buckets;
}

}  // namespace nser::service
