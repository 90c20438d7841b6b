#include "connectors/sync_progress.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "service/logging.h"

namespace nser::connectors {
namespace {

// 1234567 -> "1,234,567": rows are read at a glance.
std::string grouped(std::uint64_t value) {
  const std::string digits = std::to_string(value);
  std::string out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

std::string clock(double seconds) {
  const auto total = static_cast<long long>(std::llround(seconds));
  char text[32];
  if (total >= 3600) {
    std::snprintf(text, sizeof text, "%lld:%02lld:%02lld", total / 3600, total / 60 % 60, total % 60);
  } else {
    std::snprintf(text, sizeof text, "%lld:%02lld", total / 60, total % 60);
  }
  return text;
}

}  // namespace

SyncProgress::SyncProgress(std::ostream& terminal, bool interactive, std::chrono::milliseconds logEvery)
    : terminal_(terminal),
      interactive_(interactive),
      every_(interactive ? std::chrono::milliseconds(200) : logEvery),
      started_(std::chrono::steady_clock::now()),
      last_(started_) {}

double SyncProgress::etaSeconds(double fraction, double elapsedSeconds) {
  if (fraction <= 0.0 || fraction > 1.0 || elapsedSeconds <= 0.0) return -1.0;
  return elapsedSeconds * (1.0 - fraction) / fraction;
}

std::string SyncProgress::bar(double fraction, int width) {
  fraction = std::clamp(fraction, 0.0, 1.0);
  const int filled = static_cast<int>(std::floor(fraction * width));
  return "[" + std::string(static_cast<std::size_t>(filled), '#') +
         std::string(static_cast<std::size_t>(width - filled), '.') + "]";
}

std::string SyncProgress::describe(const SyncReport& report, double elapsedSeconds) {
  std::string text;
  if (report.sourceFraction >= 0.0) {
    char percent[16];
    std::snprintf(percent, sizeof percent, "%3.0f%%  ", std::clamp(report.sourceFraction, 0.0, 1.0) * 100.0);
    text += percent;
  }
  const double rate = elapsedSeconds > 0.0 ? static_cast<double>(report.rows) / elapsedSeconds : 0.0;
  text += grouped(report.rows) + " rows  " + grouped(static_cast<std::uint64_t>(std::llround(rate))) + " rows/s  pushed " +
          grouped(report.pushed) + "  quarantined " + grouped(report.quarantined);
  const double eta = etaSeconds(report.sourceFraction, elapsedSeconds);
  if (eta >= 0.0 && report.sourceFraction < 1.0) text += "  ETA " + clock(eta);
  return text;
}

void SyncProgress::update(const SyncReport& report) {
  const auto now = std::chrono::steady_clock::now();
  if (now - last_ < every_) return;
  last_ = now;
  show(report, false);
}

void SyncProgress::finish(const SyncReport& report) { show(report, true); }

void SyncProgress::show(const SyncReport& report, bool final) {
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  if (interactive_) {
    std::string line = "\r";
    if (report.sourceFraction >= 0.0) line += bar(report.sourceFraction, 24) + " ";
    line += describe(report, elapsed) + "\x1b[K";  // erase what a longer earlier line left
    terminal_ << line << (final ? "\n" : "") << std::flush;
    return;
  }
  const double rate = elapsed > 0.0 ? static_cast<double>(report.rows) / elapsed : 0.0;
  std::vector<service::LogField> fields = {{"rows", std::to_string(report.rows)},
                               {"rows_per_second", std::to_string(std::llround(rate))},
                               {"upserts", std::to_string(report.upserts)},
                               {"pushed", std::to_string(report.pushed)},
                               {"batches", std::to_string(report.batches)},
                               {"quarantined", std::to_string(report.quarantined)},
                               {"elapsed_seconds", std::to_string(std::llround(elapsed))}};
  if (report.sourceFraction >= 0.0) {
    fields.push_back({"percent", std::to_string(std::llround(std::clamp(report.sourceFraction, 0.0, 1.0) * 100.0))});
    const double eta = etaSeconds(report.sourceFraction, elapsed);
    if (eta >= 0.0 && !final) fields.push_back({"eta_seconds", std::to_string(std::llround(eta))});
  }
  service::logEvent(Poco::Logger::get("connector.sync"), Poco::Message::PRIO_INFORMATION,
                    final ? "sync progress: done" : "sync progress", fields);
}

}  // namespace nser::connectors
