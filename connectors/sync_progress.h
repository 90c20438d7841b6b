// SyncProgress: what a running sync shows (docs/connector.md, "Progress").
// On a terminal (interactive `nser connector sync`) a progress line on
// stderr, redrawn at most five times a second:
//   [##########..........]  48%  480,000 rows  41,230 rows/s  pushed 12,000  quarantined 3  ETA 0:12
// (the bar and ETA only when the source knows its size: CSV files).
// Otherwise a "sync progress" log event every `logEvery` and one at the end,
// with the same figures as fields. Counts only, never values.
#pragma once

#include <chrono>
#include <ostream>
#include <string>

#include "connectors/sync_engine.h"

namespace nser::connectors {

class SyncProgress {
 public:
  SyncProgress(std::ostream& terminal, bool interactive, std::chrono::milliseconds logEvery = std::chrono::seconds(10));

  // The engine's progress callback: shows or logs when due.
  void update(const SyncReport& report);
  // After the sync: the final line (terminal) or log event.
  void finish(const SyncReport& report);

  // One line of figures, e.g. "48%  480,000 rows  41,230 rows/s  pushed
  // 12,000  quarantined 3  ETA 0:12" (exposed for tests).
  static std::string describe(const SyncReport& report, double elapsedSeconds);
  // "[#####.....]" of `width` cells for a fraction in 0..1.
  static std::string bar(double fraction, int width);
  // Seconds left at the current rate, or a negative value when unknown.
  static double etaSeconds(double fraction, double elapsedSeconds);

 private:
  void show(const SyncReport& report, bool final);
  std::ostream& terminal_;
  bool interactive_;
  std::chrono::milliseconds every_;
  std::chrono::steady_clock::time_point started_;
  std::chrono::steady_clock::time_point last_;
};

}  // namespace nser::connectors
