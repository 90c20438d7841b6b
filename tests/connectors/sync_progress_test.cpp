// SyncProgress: the figures of the progress line, the bar, the ETA, and the
// terminal output (redrawn on one line, ended at finish).
#include "connectors/sync_progress.h"

#include <gtest/gtest.h>

#include <sstream>

namespace nser::connectors {
namespace {

TEST(SyncProgress, DescribesRateCountsAndEtaWhenTheSizeIsKnown) {
  SyncReport report;
  report.rows = 480000;
  report.pushed = 12000;
  report.quarantined = 3;
  report.sourceFraction = 0.48;
  EXPECT_EQ(SyncProgress::describe(report, 10.0),
            " 48%  480,000 rows  48,000 rows/s  pushed 12,000  quarantined 3  ETA 0:11");
  report.sourceFraction = -1.0;  // a PostgreSQL source: no percentage, no ETA
  EXPECT_EQ(SyncProgress::describe(report, 10.0), "480,000 rows  48,000 rows/s  pushed 12,000  quarantined 3");
  report.rows = 7;
  report.pushed = 0;
  report.quarantined = 0;
  report.sourceFraction = 1.0;  // done: no ETA
  EXPECT_EQ(SyncProgress::describe(report, 0.0), "100%  7 rows  0 rows/s  pushed 0  quarantined 0");
}

TEST(SyncProgress, BarAndEta) {
  EXPECT_EQ(SyncProgress::bar(0.0, 4), "[....]");
  EXPECT_EQ(SyncProgress::bar(0.5, 4), "[##..]");
  EXPECT_EQ(SyncProgress::bar(1.7, 4), "[####]");
  EXPECT_DOUBLE_EQ(SyncProgress::etaSeconds(0.25, 10.0), 30.0);
  EXPECT_LT(SyncProgress::etaSeconds(0.0, 10.0), 0.0);
  EXPECT_LT(SyncProgress::etaSeconds(-1.0, 10.0), 0.0);
  EXPECT_EQ(SyncProgress::describe([] {
    SyncReport r;
    r.rows = 1;
    r.sourceFraction = 0.001;
    return r;
  }(), 4.0).substr(0, 4), "  0%");
}

TEST(SyncProgress, RedrawsOneTerminalLineAndEndsItAtFinish) {
  std::ostringstream terminal;
  SyncProgress progress(terminal, /*interactive=*/true);
  SyncReport report;
  report.rows = 10;
  report.sourceFraction = 0.5;
  report.rows = 20;
  report.sourceFraction = 1.0;
  progress.finish(report);
  const std::string text = terminal.str();
  EXPECT_EQ(text.front(), '\r');
  EXPECT_NE(text.find("[########################] 100%  20 rows"), std::string::npos) << text;
  EXPECT_EQ(text.back(), '\n');
}

TEST(SyncProgress, LogsInsteadOfDrawingWhenNotATerminal) {
  std::ostringstream terminal;
  SyncProgress progress(terminal, /*interactive=*/false, std::chrono::milliseconds(0));
  SyncReport report;
  report.rows = 5;
  progress.update(report);
  progress.finish(report);
  EXPECT_EQ(terminal.str(), "") << "progress goes to the log";
}

}  // namespace
}  // namespace nser::connectors
