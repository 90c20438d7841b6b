// The audit log of a real hub process, through `nser audit` and `nser
// witness`: a full verification passes and then fails, naming what is
// wrong, after the stopped hub's audit database is tampered with; every
// acknowledged change survives kill -9 during heavy appends; a witness
// detects a hub forked from a copy of its data directory.
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <set>
#include <thread>

#include "audit/audit_log.h"
#include "tests/support/hub_process.h"

using namespace nser;
using nser::testing::HubProcess;
using nser::testing::ProcessResult;

namespace {

class AuditHub {
 public:
  explicit AuditHub(std::vector<std::string> parties) : hub_(parties) {}

  void start() {
    hub_.start();
    if (!registered_) {
      hub_.registerParty("auditor", "auditor");
      registered_ = true;
    }
  }

  // `nser ARGS...` as the auditor (or another party with a certificate).
  ProcessResult as(const std::string& party, std::vector<std::string> args) const {
    const auto files = hub_.filesOf(party);
    for (const std::string& extra : {std::string("--hub"), "https://127.0.0.1:" + std::to_string(hub_.port()),
                                     std::string("--cert"), files.certificate, std::string("--key"), files.privateKey,
                                     std::string("--ca"), files.caCertificate}) {
      args.push_back(extra);
    }
    return nser::testing::runProcess(NSER_BINARY, args);
  }
  ProcessResult audit(std::vector<std::string> args) const {
    args.insert(args.begin(), "audit");
    return as("auditor", args);
  }
  // Appends `count` admin entries (party registrations).
  void addParties(const std::string& prefix, int count) const {
    for (int i = 0; i < count; ++i) {
      const auto result = hub_.admin({"admin", "party", "add", prefix + std::to_string(i), "--role", "programme"});
      ASSERT_EQ(result.exitCode, 0) << result.err;
    }
  }
  std::filesystem::path keyFile() {
    const auto file = hub_.dir() / "log.key";
    if (!std::filesystem::exists(file)) {
      const auto key = audit({"key"});
      EXPECT_EQ(key.exitCode, 0) << key.err;
      nser::testing::writeFile(file, key.out);
    }
    return file;
  }
  ProcessResult verify() {
    return audit({"verify", "--log-key-file", keyFile().string(), "--state", (hub_.dir() / "auditor-state").string()});
  }
  std::filesystem::path auditDirectory() const { return hub_.dir() / "data" / "audit"; }
  HubProcess& hub() { return hub_; }

 private:
  HubProcess hub_;
  bool registered_ = false;
};

void editClosedLog(const std::filesystem::path& directory, const std::function<void(rocksdb::DB&)>& change) {
  audit::AuditLog::editStorage(directory, change);
}

TEST(AuditIntegration, VerifyPassesThenNamesTamperedEntries) {
  AuditHub hub({"auditor"});
  hub.start();
  hub.addParties("programme-", 12);
  ASSERT_EQ(hub.audit({"checkpoint", "--publish"}).exitCode, 0);
  auto result = hub.verify();
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("verified 13 entries"), std::string::npos) << result.out;

  // Entries, search and proofs answer over the wire.
  const auto entries = hub.audit({"entries"});
  ASSERT_EQ(entries.exitCode, 0) << entries.err;
  EXPECT_NE(entries.out.find("\"party_add\""), std::string::npos);
  const auto proof = hub.audit({"prove", "--index", "4", "--log-key-file", hub.keyFile().string()});
  EXPECT_EQ(proof.exitCode, 0) << proof.err;
  EXPECT_NE(proof.out.find("entry 4 is included in the signed checkpoint of size 13"), std::string::npos) << proof.out;

  const auto search = hub.audit({"search", "--from", "2020-01-01T00:00:00Z", "--limit", "5"});
  ASSERT_EQ(search.exitCode, 0) << search.err;
  EXPECT_EQ(std::count(search.out.begin(), search.out.end(), '\n'), 5) << search.out;
  const auto csv = hub.audit({"export", "--format", "csv"});
  ASSERT_EQ(csv.exitCode, 0) << csv.err;
  EXPECT_EQ(std::count(csv.out.begin(), csv.out.end(), '\n'), 14) << csv.out;  // header + 13
  const auto report = hub.audit({"subject-report", "--entity", "900001"});
  ASSERT_EQ(report.exitCode, 0) << report.err;
  EXPECT_NE(report.out.find("Accesses to entity 900001 recorded in the audit log: 0"), std::string::npos);

  hub.hub().stop();
  editClosedLog(hub.auditDirectory(), [](rocksdb::DB& db) {
    std::string value;
    ASSERT_TRUE(db.Get({}, audit::AuditLog::entryKey(3), &value).ok());
    value[value.size() - 2] ^= 0x01;
    ASSERT_TRUE(db.Put({}, audit::AuditLog::entryKey(3), value).ok());
  });
  hub.start();
  result = hub.verify();
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("entry 3 does not match the leaf hash"), std::string::npos) << result.err;

  hub.hub().stop();
  std::string entry7;
  editClosedLog(hub.auditDirectory(), [&](rocksdb::DB& db) {
    std::string value;
    ASSERT_TRUE(db.Get({}, audit::AuditLog::entryKey(3), &value).ok());
    value[value.size() - 2] ^= 0x01;  // undo
    ASSERT_TRUE(db.Put({}, audit::AuditLog::entryKey(3), value).ok());
    ASSERT_TRUE(db.Get({}, audit::AuditLog::entryKey(7), &entry7).ok());
    ASSERT_TRUE(db.Delete({}, audit::AuditLog::entryKey(7)).ok());
  });
  hub.start();
  result = hub.verify();
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("entry 7 is missing"), std::string::npos) << result.err;

  hub.hub().stop();
  editClosedLog(hub.auditDirectory(), [&](rocksdb::DB& db) {
    // Entry 7 back; corrupt the stored node over entries 0-7 instead: the
    // hub's next checkpoint folds it into a root the entries do not give.
    ASSERT_TRUE(db.Put({}, audit::AuditLog::entryKey(7), entry7).ok());
    std::string node;
    ASSERT_TRUE(db.Get({}, audit::AuditLog::nodeKey({3, 0}), &node).ok());
    node[0] ^= 0x01;
    ASSERT_TRUE(db.Put({}, audit::AuditLog::nodeKey({3, 0}), node).ok());
  });
  hub.start();
  hub.addParties("late-", 1);  // a new checkpoint over the corrupted node
  ASSERT_EQ(hub.audit({"checkpoint", "--publish"}).exitCode, 0);
  result = hub.verify();
  EXPECT_EQ(result.exitCode, 1);
  EXPECT_NE(result.err.find("root mismatch"), std::string::npos) << result.err;
}

TEST(AuditIntegration, EveryAcknowledgedChangeSurvivesKill9DuringHeavyAppends) {
  AuditHub hub({"auditor"});
  hub.start();
  std::mutex mutex;
  std::set<std::string> acknowledged;
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 8; ++t) {
    writers.emplace_back([&, t] {
      auto client = hub.hub().client("admin");
      for (int i = 0; !stop; ++i) {
        const std::string id = "p" + std::to_string(t) + "-" + std::to_string(i);
        try {
          const auto response =
              client->postJson("/admin/parties", R"({"id":")" + id + R"(","role":"programme"})");
          if (response.status == 201) {
            std::lock_guard lock(mutex);
            acknowledged.insert(id);
          }
        } catch (const std::exception&) {
          return;  // the hub is gone
        }
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::seconds(3));
  hub.hub().kill9();
  stop = true;
  for (auto& writer : writers) writer.join();
  ASSERT_GT(acknowledged.size(), 50u);

  hub.start();
  ASSERT_EQ(hub.audit({"checkpoint", "--publish"}).exitCode, 0);
  const auto result = hub.verify();
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const auto exported = hub.audit({"export", "--format", "jsonl"});
  ASSERT_EQ(exported.exitCode, 0) << exported.err;
  std::size_t missing = 0;
  for (const auto& id : acknowledged) {
    if (exported.out.find(R"("party":")" + id + "\"") == std::string::npos) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "of " << acknowledged.size() << " acknowledged";
  std::cout << "acknowledged before kill -9: " << acknowledged.size() << "\n" << result.out;
}

TEST(AuditIntegration, WitnessCosignsAndDetectsAForkedHub) {
  AuditHub hub({"auditor", "witness"});
  hub.start();
  hub.hub().registerParty("witness", "auditor");
  hub.addParties("common-", 4);
  ASSERT_EQ(hub.audit({"checkpoint", "--publish"}).exitCode, 0);
  const auto key = hub.keyFile().string();
  const auto state = (hub.hub().dir() / "witness-state").string();
  auto witness = [&] {
    return hub.as("witness", {"witness", "--state", state, "--name", "witness", "--log-key-file", key});
  };
  auto round = witness();
  ASSERT_EQ(round.exitCode, 0) << round.err;
  EXPECT_NE(round.out.find("cosigned"), std::string::npos);
  const auto published = hub.audit({"checkpoint"});
  EXPECT_NE(published.out.find("\xE2\x80\x94 witness "), std::string::npos) << published.out;

  // Fork: copy the data directory, let the original grow, then run the copy and let it grow differently.
  hub.hub().stop();
  const auto data = hub.hub().dir() / "data";
  const auto copy = hub.hub().dir() / "data-fork";
  std::filesystem::copy(data, copy, std::filesystem::copy_options::recursive);
  hub.start();
  hub.addParties("original-", 3);
  ASSERT_EQ(hub.audit({"checkpoint", "--publish"}).exitCode, 0);
  round = witness();
  ASSERT_EQ(round.exitCode, 0) << round.err;

  hub.hub().stop();
  std::filesystem::rename(data, hub.hub().dir() / "data-original");
  std::filesystem::rename(copy, data);
  hub.start();
  hub.addParties("forked-", 5);
  ASSERT_EQ(hub.audit({"checkpoint", "--publish"}).exitCode, 0);
  round = witness();
  EXPECT_EQ(round.exitCode, 1);
  EXPECT_NE(round.err.find("SPLIT VIEW"), std::string::npos) << round.err;
}

}  // namespace
