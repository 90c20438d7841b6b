// ConnectorMetrics: counters, persistence across restarts (through a real
// SyncState), the text format and the lag computations.
#include "connectors/connector_metrics.h"

#include <gtest/gtest.h>

#include <chrono>

#include "connectors/sync_state.h"
#include "tests/support/temp_dir.h"

namespace nser::connectors {
namespace {

std::int64_t now() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

bool hasLine(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos || text.rfind(line + "\n", 0) == 0;
}

TEST(ConnectorMetrics, CountsASyncAndRendersThePrometheusTextFormat) {
  ConnectorMetrics metrics;
  metrics.syncStarted();
  for (int i = 0; i < 5; ++i) metrics.rowSeen();
  for (int i = 0; i < 3; ++i) metrics.rowEncoded();
  metrics.rowQuarantined();
  metrics.batchRetried();
  metrics.batchAcknowledged(2, 1);
  metrics.setQuarantineSize(1);
  const std::string during = metrics.render();
  EXPECT_TRUE(hasLine(during, "nser_connector_sync_in_progress 1")) << during;
  EXPECT_EQ(during.find("\nnser_connector_sync_lag_seconds "), std::string::npos) << "no successful sync yet";
  metrics.syncFinished();

  const std::string text = metrics.render();
  EXPECT_TRUE(hasLine(text, "# TYPE nser_connector_records_seen_total counter")) << text;
  EXPECT_TRUE(hasLine(text, "nser_connector_records_seen_total 5")) << text;
  EXPECT_TRUE(hasLine(text, "nser_connector_records_encoded_total 3"));
  EXPECT_TRUE(hasLine(text, "nser_connector_records_pushed_total 2"));
  EXPECT_TRUE(hasLine(text, "nser_connector_tombstones_pushed_total 1"));
  EXPECT_TRUE(hasLine(text, "nser_connector_records_quarantined_total 1"));
  EXPECT_TRUE(hasLine(text, "nser_connector_batches_sent_total 1"));
  EXPECT_TRUE(hasLine(text, "nser_connector_batch_retries_total 1"));
  EXPECT_TRUE(hasLine(text, "nser_connector_syncs_total{outcome=\"ok\"} 1"));
  EXPECT_TRUE(hasLine(text, "nser_connector_last_sync_success 1"));
  EXPECT_TRUE(hasLine(text, "nser_connector_sync_in_progress 0"));
  EXPECT_TRUE(hasLine(text, "nser_connector_quarantine_rows 1"));
  EXPECT_NE(text.find("\nnser_connector_sync_lag_seconds "), std::string::npos);
  const auto lag = metrics.lag(now());
  ASSERT_TRUE(lag.has_value());
  EXPECT_GE(*lag, 0);
  EXPECT_LE(*lag, 5);
}

TEST(ConnectorMetrics, TotalsSurviveARestartThroughTheSyncState) {
  testing::TempDir dir("nser-metrics-test");
  {
    SyncState state((dir / "state").string());
    ConnectorMetrics metrics;
    metrics.restore(state);
    metrics.syncStarted();
    metrics.rowSeen();
    metrics.batchAcknowledged(7, 0);
    metrics.hubRefused();
    metrics.setWatermark("2026-01-03 00:00:00+00");
    metrics.syncFinished("hub refused batch 3 (HTTP 403 forbidden)\nsecond line");
    metrics.persist(state);
  }
  SyncState state((dir / "state").string());
  ConnectorMetrics restarted;
  restarted.restore(state);
  restarted.restore(state);  // only the first restore counts
  restarted.rowSeen();
  const auto t = restarted.snapshot();
  EXPECT_EQ(t.recordsSeen, 2u);
  EXPECT_EQ(t.recordsPushed, 7u);
  EXPECT_EQ(t.hubRefusals, 1u);
  EXPECT_EQ(t.syncsFailed, 1u);
  EXPECT_EQ(t.syncsOk, 0u);
  EXPECT_EQ(t.lastOutcome, "failed: hub refused batch 3 (HTTP 403 forbidden) second line");
  EXPECT_EQ(t.lastSuccess, 0);
  EXPECT_GT(t.lastSyncStart, 0);
  EXPECT_EQ(t.watermark, "2026-01-03 00:00:00+00");
  EXPECT_FALSE(restarted.lag(now()).has_value());
  EXPECT_TRUE(hasLine(restarted.render(), "nser_connector_last_sync_success 0"));
}

TEST(ConnectorMetrics, ASyncThatWasRunningWhenTheProcessDiedReadsAsInterrupted) {
  testing::TempDir dir("nser-metrics-test");
  {
    SyncState state((dir / "state").string());
    ConnectorMetrics metrics;
    metrics.syncStarted();
    metrics.persist(state);  // and then the process is killed
  }
  SyncState state((dir / "state").string());
  ConnectorMetrics restarted;
  restarted.restore(state);
  EXPECT_EQ(restarted.snapshot().lastOutcome, "failed: interrupted");
}

TEST(ConnectorTotals, ParseIgnoresUnknownKeysAndDamagedValues) {
  const auto t = ConnectorTotals::parse("records_seen=12\nfuture_counter=3\nrecords_pushed=oops\nlast_success=99\nnoise\n");
  EXPECT_EQ(t.recordsSeen, 12u);
  EXPECT_EQ(t.recordsPushed, 0u);
  EXPECT_EQ(t.lastSuccess, 99);
  ConnectorTotals original;
  original.recordsEncoded = 5;
  original.lastOutcome = "ok";
  original.watermark = "41";
  const auto copy = ConnectorTotals::parse(original.serialise());
  EXPECT_EQ(copy.recordsEncoded, 5u);
  EXPECT_EQ(copy.lastOutcome, "ok");
  EXPECT_EQ(copy.watermark, "41");
}

TEST(ConnectorMetrics, WatermarkLagOnlyForTimestampWatermarks) {
  const std::int64_t jan3 = 1767398400;  // 2026-01-03T00:00:00Z
  EXPECT_EQ(ConnectorMetrics::watermarkLag("2026-01-03 00:00:00+00", jan3 + 90), 90);
  EXPECT_EQ(ConnectorMetrics::watermarkLag("2026-01-03T00:00:10Z", jan3 + 90), 80);
  EXPECT_EQ(ConnectorMetrics::watermarkLag("2026-01-03 00:00:00.123456+00", jan3 + 1), 1);
  EXPECT_EQ(ConnectorMetrics::watermarkLag("2026-01-03", jan3 + 5), 5);
  EXPECT_FALSE(ConnectorMetrics::watermarkLag("41", jan3).has_value());  // a version number
  EXPECT_FALSE(ConnectorMetrics::watermarkLag("2026-13-03", jan3).has_value());
  EXPECT_FALSE(ConnectorMetrics::watermarkLag("", jan3).has_value());
}

}  // namespace
}  // namespace nser::connectors
