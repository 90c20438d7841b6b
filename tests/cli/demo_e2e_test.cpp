// `nser demo` end to end: the national demo on a small population, with
// --keep-running so the test can also see the deployment it leaves up. Every
// scenario of the demo is asserted here by its outcome (cli/demo_scenarios.h),
// as are the report's numbers: nothing synced is lost, the linkage quality is
// high, the overlap matrix suppresses small cells, and the hub's data holds
// no identifier. One test, one demo run (CTest runs each test in its own
// process; a run per check would repeat the whole deployment): each check is
// a named step of it.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "service/https_client.h"
#include "tests/support/process_harness.h"
#include "tests/support/temp_dir.h"

using nser::testing::ManagedProcess;
using nser::testing::readFile;
using Poco::JSON::Object;

namespace {

constexpr int kPeople = 2500;

// The demo run every step looks at.
nser::testing::TempDir* work_ = nullptr;
ManagedProcess* demo_ = nullptr;
Object::Ptr report_;

Object::Ptr scenario(std::size_t n) { return report_->getArray("scenarios")->getObject(static_cast<unsigned>(n)); }
std::string outcome(std::size_t n) { return scenario(n)->getValue<std::string>("outcome"); }

void EverySyncedRecordIsAtTheHubAndLinkedWithHighQuality() {
  std::uint64_t synthesised = 0;
  const auto sources = report_->getObject("source_records");
  for (const auto& name : {"nser", "punjab", "sindh", "kp", "balochistan"}) {
    ASSERT_TRUE(sources->has(name)) << name;
    synthesised += sources->getValue<std::uint64_t>(name);
  }
  EXPECT_EQ(report_->getValue<std::uint64_t>("hub_records"), synthesised);
  const auto entities = report_->getValue<std::uint64_t>("hub_entities");
  EXPECT_GT(entities, static_cast<std::uint64_t>(kPeople) * 9 / 10);
  EXPECT_LT(entities, synthesised);  // records of one person were linked
  const auto quality = report_->getObject("quality");
  EXPECT_EQ(quality->getValue<std::uint64_t>("records"), synthesised);
  EXPECT_EQ(quality->getValue<std::uint64_t>("unknown_references"), 0u);
  EXPECT_EQ(quality->getValue<std::uint64_t>("records_not_at_hub"), 0u);
  EXPECT_GT(quality->getValue<double>("pairwise_precision"), 0.97);
  EXPECT_GT(quality->getValue<double>("pairwise_recall"), 0.95);
  EXPECT_GT(quality->getValue<double>("bcubed_f1"), 0.97);
}

void TheOverlapMatrixIsSymmetricAndSuppressesCellsBelowTen() {
  const auto overlap = report_->getObject("overlap");
  const auto cells = overlap->getArray("cells");
  ASSERT_EQ(overlap->getArray("custodians")->size(), 5u);
  bool suppressed = false;
  for (unsigned row = 0; row < 5; ++row) {
    for (unsigned column = 0; column < 5; ++column) {
      const std::string cell = cells->getArray(row)->getElement<std::string>(column);
      EXPECT_EQ(cell, cells->getArray(column)->getElement<std::string>(row));
      if (cell == "<10") {
        suppressed = true;
      } else {
        EXPECT_GE(std::stoull(cell), 10u) << "cell " << row << "," << column;
      }
    }
  }
  EXPECT_TRUE(suppressed) << "provinces barely overlap at this size: some cell must be below 10";
  // NSER (row 0) holds almost everyone Punjab (row 1) holds.
  EXPECT_GT(std::stoull(cells->getArray(0)->getElement<std::string>(1)),
            std::stoull(cells->getArray(1)->getElement<std::string>(1)) * 9 / 10);
}

void AStatutoryAgreementPermitsTheProvincialProgrammesQuery() {
  EXPECT_EQ(outcome(0), "HTTP 200 Permit");
  EXPECT_TRUE(scenario(0)->getValue<bool>("passed"));  // and the value is NSER's
}

void WithoutConsentTheQueryIsDenied() {
  EXPECT_EQ(outcome(1), "HTTP 403 ConsentMissing");
  EXPECT_TRUE(scenario(1)->getValue<bool>("passed"));
}

void AfterConsentIsRegisteredTheSameQueryIsPermitted() {
  EXPECT_EQ(outcome(2), "HTTP 200 Permit");
  EXPECT_TRUE(scenario(2)->getValue<bool>("passed"));
}

void AfterRevocationTheNextQueryIsDenied() {
  EXPECT_EQ(outcome(3), "HTTP 403 ConsentRevoked");
  EXPECT_TRUE(scenario(3)->getValue<bool>("passed"));
}

void AWitnessCosignsAndTheAuditorVerifiesTheLog() {
  EXPECT_EQ(outcome(4), "cosigned");
  EXPECT_EQ(outcome(5), "verified");
  EXPECT_TRUE(report_->getValue<bool>("all_scenarios_passed"));
}

void TheSubjectAccessReportListsTheConsentScenariosDecisions() {
  EXPECT_EQ(outcome(6), "decisions by sindh-sehat: deny, permit, deny");
}

void TheHubsDataHoldsNoCnic() {
  std::vector<std::string> cnics;
  std::ifstream nser(work_->path() / "demo" / "synth" / "nser.csv");
  std::string line;
  std::getline(nser, line);
  while (cnics.size() < 200 && std::getline(nser, line)) {
    const auto first = line.find(',');
    const auto second = line.find(',', first + 1);
    const std::string cnic = line.substr(first + 1, second - first - 1);
    if (!cnic.empty()) {
      cnics.push_back(cnic);
      std::string digits;
      for (char c : cnic) {
        if (c != '-') digits += c;
      }
      cnics.push_back(digits);
    }
  }
  ASSERT_GT(cnics.size(), 100u);
  std::string stored;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(work_->path() / "demo" / "hub-data")) {
    if (entry.is_regular_file()) stored += readFile(entry.path());
  }
  stored += readFile(work_->path() / "demo" / "logs" / "hub.log");
  for (const auto& cnic : cnics) EXPECT_EQ(stored.find(cnic), std::string::npos) << "a CNIC reached the hub";
}

// Last: the deployment is still up, answers, and stops on SIGTERM.
void KeepRunningLeavesTheDeploymentUpUntilSigterm() {
  const std::string url = report_->getValue<std::string>("hub_url");
  const int port = std::stoi(url.substr(url.rfind(':') + 1));
  const auto issued = work_->path() / "demo" / "pki" / "issued";
  nser::service::HttpsClient admin(
      "127.0.0.1", static_cast<std::uint16_t>(port),
      nser::service::TlsFiles{(issued / "admin.crt").string(), (issued / "admin.key").string(),
                              (work_->path() / "demo" / "pki" / "ca" / "ca.crt").string(), ""});
  EXPECT_EQ(admin.get("/health").status, 200);
  const auto stopped = demo_->stop(std::chrono::seconds(60));
  EXPECT_EQ(stopped.exitCode, 0) << demo_->stdoutText() << demo_->stderrText();
  EXPECT_NE(demo_->stdoutText().find("Every scenario had its expected outcome; all processes stopped."),
            std::string::npos);
  // The hub it started is gone: its port refuses connections.
  Poco::Net::StreamSocket socket;
  EXPECT_THROW(socket.connect(Poco::Net::SocketAddress("127.0.0.1", static_cast<Poco::UInt16>(port)),
                              Poco::Timespan(2, 0)),
               Poco::Exception);
}

TEST(DemoE2E, TheNationalDemoReportsAndEveryScenarioHasItsExpectedOutcome) {
  nser::testing::TempDir work("nser-demo-e2e");
  ManagedProcess demo(
      "demo", NSER_BINARY,
      {"demo", "--people", std::to_string(kPeople), "--dir", (work.path() / "demo").string(), "--report-json",
       (work.path() / "report.json").string(), "--keep-running", "--schemas", NSER_SOURCE_DIR "/schemas"},
      work.path());
  ASSERT_TRUE(demo.waitForOutput("Everything keeps running", std::chrono::minutes(8)))
      << demo.lastError() << "\n" << demo.stdoutText() << demo.stderrText();
  Poco::JSON::Parser parser;
  report_ = parser.parse(readFile(work.path() / "report.json")).extract<Object::Ptr>();
  work_ = &work;
  demo_ = &demo;
  for (const auto& [name, step] : std::vector<std::pair<const char*, void (*)()>>{
           {"every synced record is at the hub, linked with high quality",
            EverySyncedRecordIsAtTheHubAndLinkedWithHighQuality},
           {"the overlap matrix", TheOverlapMatrixIsSymmetricAndSuppressesCellsBelowTen},
           {"scenario 1: statutory permit", AStatutoryAgreementPermitsTheProvincialProgrammesQuery},
           {"scenario 2: no consent", WithoutConsentTheQueryIsDenied},
           {"scenario 3: consent registered", AfterConsentIsRegisteredTheSameQueryIsPermitted},
           {"scenario 4: consent revoked", AfterRevocationTheNextQueryIsDenied},
           {"scenarios 5-6: witness and auditor", AWitnessCosignsAndTheAuditorVerifiesTheLog},
           {"scenario 7: subject access report", TheSubjectAccessReportListsTheConsentScenariosDecisions},
           {"no CNIC at the hub", TheHubsDataHoldsNoCnic},
           {"--keep-running, then SIGTERM", KeepRunningLeavesTheDeploymentUpUntilSigterm}}) {
    SCOPED_TRACE(name);
    step();
  }
  work_ = nullptr;
  demo_ = nullptr;
}

}  // namespace
