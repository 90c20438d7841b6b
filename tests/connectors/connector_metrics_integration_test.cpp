// A running connector's counters (issue 7, item 8): GET /metrics on the
// gateway after a sync against a real hub, `nser connector status` showing
// the same totals after restarts, and the progress log line of a sync whose
// stderr is not a terminal.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/StreamCopier.h>

#include <filesystem>

#include "tests/support/hub_process.h"

using nser::testing::HubProcess;
using nser::testing::runProcess;
using nser::testing::writeFile;

namespace {

std::string sourceCsv(int count) {
  std::string csv = "rec_id,cnic,name,relation_type,relation_name,gender,dob,district,tehsil,province,address,phone\n";
  const char* names[] = {"Muhammad Qasim", "Zainab Bibi", "Ghulam Abbas", "Ayesha Noor"};
  for (int n = 0; n < count; ++n) {
    char cnic[32];
    std::snprintf(cnic, sizeof cnic, "35202-%07d-%d", 5000000 + n * 7919, n % 2 == 0 ? 1 : 2);
    csv += "m" + std::to_string(n) + "," + cnic + "," + names[n % 4] + "," + (n % 2 == 0 ? "s/o" : "d/o") +
           ",Allah Ditta," + (n % 2 == 0 ? "M" : "F") + ",1985-03-" + std::to_string(10 + n % 18) +
           ",Lahore,Lahore City,Punjab,House " + std::to_string(n) + ",\n";
  }
  return csv;
}

std::pair<int, std::string> get(int port, const std::string& path) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(port));
  Poco::Net::HTTPRequest request("GET", path, Poco::Net::HTTPMessage::HTTP_1_1);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::string text;
  Poco::StreamCopier::copyToString(session.receiveResponse(response), text);
  return {static_cast<int>(response.getStatus()), text};
}

bool hasLine(const std::string& text, const std::string& line) {
  return text.find("\n" + line + "\n") != std::string::npos;
}

}  // namespace

TEST(ConnectorMetricsIntegration, MetricsAndStatusReportTheSyncsAndSurviveRestarts) {
  HubProcess hub({"punjab"});
  hub.start();
  hub.registerParty("punjab", "custodian");
  nser::testing::TempDir work("nser-connector-metrics-test");
  const auto& issued = hub.pki().client("punjab");
  writeFile(work / "secret.key", "connector metrics test linkage secret 0123456789");
  ::chmod((work / "secret.key").c_str(), 0600);
  writeFile(work / "mapping.json", R"({"format": "nser-connector-mapping", "version": 1, "key_column": "rec_id"})");
  writeFile(work / "source.csv", sourceCsv(20) + "m99,\"unterminated,quote\n");
  const int port = nser::testing::freeLoopbackPort();
  writeFile(work / "connector.json", R"({
  "custodian": "punjab",
  "hub": {"url": "https://127.0.0.1:)" + std::to_string(hub.port()) + R"(",
          "tls": {"certificate": ")" + issued.certificatePath.string() + R"(", "private_key": ")" +
                                        issued.keyPath.string() + R"(", "ca_certificate": ")" +
                                        hub.pki().caCertificate.string() + R"("}},
  "linkage": {"schema": ")" + std::string(NSER_SOURCE_DIR) + R"(/schemas/linkage/nser-person-v1.json",
              "secret_file": "secret.key", "key_epoch": 1},
  "source": {"type": "csv", "path": "source.csv"},
  "mapping": "mapping.json",
  "data_directory": "state",
  "sync": {"batch_size": 16},
  "gateway": {"listen": {"address": "127.0.0.1", "port": )" + std::to_string(port) + R"(}, "loopback_only": true},
  "log": {"format": "json", "level": "information"}
})");
  const std::string config = (work / "connector.json").string();

  {
    nser::testing::ManagedProcess running("connector", NSER_BINARY, {"connector", "--config", config, "run"},
                                          work.path());
    ASSERT_TRUE(running.waitForOutput("gateway listening", std::chrono::seconds(60))) << running.lastError();
    std::string metrics;
    ASSERT_TRUE(running.waitUntil(
        [&] {
          metrics = get(port, "/metrics").second;
          return hasLine(metrics, "nser_connector_syncs_total{outcome=\"ok\"} 1");
        },
        std::chrono::seconds(60)))
        << metrics;
    const auto [status, text] = get(port, "/metrics");
    EXPECT_EQ(status, 200);
    EXPECT_TRUE(hasLine(text, "# TYPE nser_connector_records_pushed_total counter")) << text;
    EXPECT_TRUE(hasLine(text, "nser_connector_records_seen_total 21")) << text;
    EXPECT_TRUE(hasLine(text, "nser_connector_records_encoded_total 20"));
    EXPECT_TRUE(hasLine(text, "nser_connector_records_pushed_total 20"));
    EXPECT_TRUE(hasLine(text, "nser_connector_tombstones_pushed_total 0"));
    EXPECT_TRUE(hasLine(text, "nser_connector_records_quarantined_total 1"));
    EXPECT_TRUE(hasLine(text, "nser_connector_quarantine_rows 1"));
    EXPECT_TRUE(hasLine(text, "nser_connector_batches_sent_total 2"));  // 16 + 4
    EXPECT_TRUE(hasLine(text, "nser_connector_hub_refusals_total 0"));
    EXPECT_TRUE(hasLine(text, "nser_connector_last_sync_success 1"));
    EXPECT_TRUE(hasLine(text, "nser_connector_sync_in_progress 0"));
    EXPECT_NE(text.find("\nnser_connector_sync_lag_seconds "), std::string::npos);
    EXPECT_EQ(text.find("Qasim"), std::string::npos);
    EXPECT_EQ(text.find("m1"), std::string::npos) << "no source key in metrics";
    EXPECT_EQ(running.stop().exitCode, 0);
  }

  // `status` reads the persisted totals; a second sync (nothing changed) adds to them.
  auto status = runProcess(NSER_BINARY, {"connector", "--config", config, "status"});
  ASSERT_EQ(status.exitCode, 0) << status.err;
  EXPECT_NE(status.out.find("totals:            21 rows seen, 20 encoded, 20 pushed, 0 tombstones pushed, 1 quarantined"),
            std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("syncs:             1 ok, 0 failed"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("s since the last successful sync"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("(ok)"), std::string::npos) << status.out;

  const auto sync = runProcess(NSER_BINARY, {"connector", "--config", config, "sync"});
  ASSERT_EQ(sync.exitCode, 0) << sync.err;
  // stderr is not a terminal here: progress is logged, not drawn.
  EXPECT_NE(sync.err.find("sync progress: done"), std::string::npos) << sync.err;
  EXPECT_NE(sync.err.find("\"rows_per_second\""), std::string::npos) << sync.err;
  EXPECT_NE(sync.err.find("\"percent\":\"100\""), std::string::npos) << sync.err;
  EXPECT_EQ(sync.err.find('\r'), std::string::npos);
  status = runProcess(NSER_BINARY, {"connector", "--config", config, "status"});
  EXPECT_NE(status.out.find("totals:            42 rows seen, 20 encoded, 20 pushed, 0 tombstones pushed, 2 quarantined"),
            std::string::npos)
      << status.out;
  EXPECT_NE(status.out.find("syncs:             2 ok, 0 failed"), std::string::npos) << status.out;

  // A failed sync is counted and shown with its reason.
  hub.stop();
  writeFile(work / "source.csv", sourceCsv(21));
  std::string text = nser::testing::readFile(work / "connector.json");
  text.replace(text.find(R"("batch_size": 16)"), 16, R"("batch_size": 16, "max_attempts": 2, "initial_backoff_ms": 10)");
  writeFile(work / "connector.json", text);
  EXPECT_EQ(runProcess(NSER_BINARY, {"connector", "--config", config, "sync"}).exitCode, 1);
  status = runProcess(NSER_BINARY, {"connector", "--config", config, "status"});
  EXPECT_NE(status.out.find("syncs:             2 ok, 1 failed"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("(failed: batch 3 not acknowledged after 2 attempts"), std::string::npos) << status.out;
  EXPECT_NE(status.out.find("batches:           2 sent, 1 retries, 0 refused by the hub"), std::string::npos)
      << status.out;
}
