// AuditLog against a naive recomputation: roots, proofs, lookups, search,
// reopening, group commit with concurrent appenders, and tamper detection by
// editing a closed log's RocksDB directly.
#include "audit/audit_log.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <set>
#include <thread>

#include "audit/log_verifier.h"
#include "audit/merkle_proof.h"
#include "pki/signing_key.h"
#include "tests/support/temp_dir.h"

namespace nser::audit {
namespace {

AuditEntry sampleEntry(std::size_t i) {
  AuditEntry entry;
  entry.kind = i % 3 == 0 ? "decision" : "admin";
  entry.timeMillis = 1'700'000'000'000 + static_cast<std::int64_t>(i) * 1000;
  entry.actor = "party-" + std::to_string(i % 4);
  entry.programme = i % 2 == 0 ? "bisp-kafaalat" : "";
  entry.custodian = "custodian-" + std::to_string(i % 3);
  entry.entity = "ent-" + std::to_string(i % 5);
  entry.purpose = "eligibility";
  entry.decision = i % 3 == 0 ? "permit" : "deny";
  entry.details = R"({"n":)" + std::to_string(i) + "}";
  return entry;
}

std::vector<Hash> leavesOf(std::size_t n) {
  std::vector<Hash> leaves;
  for (std::size_t i = 0; i < n; ++i) leaves.push_back(leafHash(encodeAuditEntry(sampleEntry(i))));
  return leaves;
}

Hash naiveRoot(const std::vector<Hash>& leaves, std::size_t n) {
  CompactRange tree;
  for (std::size_t i = 0; i < n; ++i) tree.append(leaves[i]);
  return tree.root();
}

TEST(AuditEntryEncoding, RoundTripsAndNamesTheBadField) {
  const AuditEntry entry = sampleEntry(6);
  const std::string bytes = encodeAuditEntry(entry);
  EXPECT_EQ(decodeAuditEntry(bytes), entry);
  EXPECT_EQ(encodeAuditEntry(decodeAuditEntry(bytes)), bytes);
  try {
    decodeAuditEntry(bytes.substr(0, bytes.size() - 3));
    FAIL();
  } catch (const AuditEntryError& e) {
    EXPECT_NE(std::string(e.what()).find("details"), std::string::npos) << e.what();
  }
  EXPECT_THROW(decodeAuditEntry(bytes + "x"), AuditEntryError);
  // The check without decoding accepts and refuses exactly the same bytes.
  EXPECT_NO_THROW(checkAuditEntry(bytes));
  for (const std::string& broken : {bytes.substr(0, bytes.size() - 3), bytes + "x", std::string(), "\x02" + bytes.substr(1),
                                    bytes.substr(0, bytes.size() - 1) + "]"}) {
    EXPECT_THROW(decodeAuditEntry(broken), AuditEntryError);
    EXPECT_THROW(checkAuditEntry(broken), AuditEntryError);
  }
  AuditEntry bad = entry;
  bad.details = "[1]";
  EXPECT_THROW(encodeAuditEntry(bad), AuditEntryError);
  for (const std::string details : {R"({"a":})", R"({"a":1,})", R"({"a" 1})", R"({} {})", R"({"a":"\x"})", "{\"a\":tru}"}) {
    bad.details = details;
    EXPECT_THROW(encodeAuditEntry(bad), AuditEntryError) << details;
  }
  for (const std::string details : {R"({})", R"({"a":[1,2.5e3,{"b":null}],"c":"\u00e9"})", "{ \"a\" : true }"}) {
    bad.details = details;
    EXPECT_NO_THROW(encodeAuditEntry(bad)) << details;
  }
  bad = entry;
  bad.entity = std::string("a\0b", 3);
  try {
    encodeAuditEntry(bad);
    FAIL();
  } catch (const AuditEntryError& e) {
    EXPECT_NE(std::string(e.what()).find("entity"), std::string::npos);
  }
}

TEST(AuditLog, RootsAndProofsMatchANaiveTreeAndSurviveReopening) {
  testing::TempDir dir("audit-log");
  const std::size_t n = 77;
  const auto leaves = leavesOf(n);
  {
    AuditLog log(dir.path());
    for (std::size_t i = 0; i < n; ++i) EXPECT_EQ(log.append(sampleEntry(i)), i);
  }
  AuditLog log(dir.path());
  ASSERT_EQ(log.size(), n);
  for (std::size_t size = 0; size <= n; ++size) {
    const Hash root = naiveRoot(leaves, size);
    ASSERT_EQ(log.root(size), root) << size;
    for (std::size_t index = 0; index < size; index += 7) {
      EXPECT_NO_THROW(verifyInclusion(index, size, leaves[index], log.inclusionProof(index, size), root));
    }
    for (std::size_t size1 = 1; size1 <= size; size1 += 5) {
      EXPECT_NO_THROW(verifyConsistency(size1, size, log.consistencyProof(size1, size), naiveRoot(leaves, size1), root));
    }
  }
  EXPECT_EQ(log.findByLeafHash(leaves[42]), 42u);
  EXPECT_FALSE(log.findByLeafHash(leafHash("nothing")));
  EXPECT_THROW(log.inclusionProof(5, n + 1), AuditLogError);
  const auto some = log.entries(10, 13);
  ASSERT_EQ(some.size(), 3u);
  EXPECT_EQ(some[1].index, 11u);
  EXPECT_EQ(some[1].leafHash, leaves[11]);
  EXPECT_EQ(decodeAuditEntry(some[1].bytes), sampleEntry(11));
  // Appending after reopening continues the same tree.
  EXPECT_EQ(log.append(sampleEntry(n)), n);
  EXPECT_EQ(log.root(), naiveRoot(leavesOf(n + 1), n + 1));
}

TEST(AuditLog, UpperLevelsKeptInMemoryAgreeWithStorageAcrossReopening) {
  testing::TempDir dir("audit-upper");
  const std::size_t n = 1300;  // levels 4 to 10 complete, with partial edges
  std::vector<AuditEntry> entries;
  for (std::size_t i = 0; i < n; ++i) entries.push_back(sampleEntry(i));
  const auto leaves = leavesOf(n);
  {
    AuditLog log(dir.path());
    EXPECT_EQ(log.appendAll(std::vector<AuditEntry>(entries.begin(), entries.begin() + 700)), 0u);
    EXPECT_EQ(log.appendAll(std::vector<AuditEntry>(entries.begin() + 700, entries.end())), 700u);
    EXPECT_EQ(log.root(), naiveRoot(leaves, n));
  }
  AuditLog log(dir.path());
  for (const std::size_t size : {256u, 511u, 512u, 1024u, 1299u, 1300u}) {
    const Hash root = naiveRoot(leaves, size);
    ASSERT_EQ(log.root(size), root) << size;
    for (const std::size_t index : {0u, 255u, 256u, 700u, 1023u, 1299u}) {
      if (index >= size) continue;
      EXPECT_NO_THROW(verifyInclusion(index, size, leaves[index], log.inclusionProof(index, size), root))
          << index << "/" << size;
    }
    if (size >= 300) {
      EXPECT_NO_THROW(verifyConsistency(300, size, log.consistencyProof(300, size), naiveRoot(leaves, 300), root));
    }
  }
}

TEST(AuditLog, SearchUsesTheIndexesAndTheTimeRange) {
  testing::TempDir dir("audit-search");
  AuditLog log(dir.path());
  for (std::size_t i = 0; i < 60; ++i) log.append(sampleEntry(i));
  AuditQuery query;
  query.entity = "ent-2";
  query.limit = 1000;
  const auto all = log.search(query);
  ASSERT_EQ(all.size(), 12u);
  for (const auto& hit : all) EXPECT_EQ(hit.index % 5, 2u);
  query.decision = "permit";
  const auto permits = log.search(query);
  for (const auto& hit : permits) EXPECT_EQ(hit.index % 15, 12u);
  EXPECT_EQ(permits.size(), 4u);
  query = AuditQuery{};
  query.programme = "bisp-kafaalat";
  query.fromMillis = sampleEntry(10).timeMillis;
  query.toMillis = sampleEntry(20).timeMillis;
  const auto window = log.search(query);
  ASSERT_EQ(window.size(), 6u);
  EXPECT_EQ(window.front().index, 10u);
  EXPECT_EQ(window.back().index, 20u);
  query.limit = 2;
  EXPECT_EQ(log.search(query).size(), 2u);
  query = AuditQuery{};
  query.fromMillis = sampleEntry(58).timeMillis;
  EXPECT_EQ(log.search(query).size(), 2u);
}

TEST(AuditLog, ConcurrentAppendersGetDistinctIndexesAndEveryEntryIsThere) {
  testing::TempDir dir("audit-group");
  const std::size_t threads = 16, perThread = 200;
  std::vector<std::vector<std::uint64_t>> got(threads);
  {
    AuditLog log(dir.path());
    std::vector<std::thread> workers;
    for (std::size_t t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (std::size_t i = 0; i < perThread; ++i) got[t].push_back(log.append(sampleEntry(t * perThread + i)));
      });
    }
    for (auto& worker : workers) worker.join();
    EXPECT_EQ(log.size(), threads * perThread);
  }
  AuditLog log(dir.path());
  std::set<std::uint64_t> indexes;
  for (std::size_t t = 0; t < threads; ++t) {
    for (std::size_t i = 0; i < perThread; ++i) {
      const auto index = got[t][i];
      indexes.insert(index);
      const auto stored = log.entries(index, index + 1);
      ASSERT_EQ(stored.size(), 1u);
      EXPECT_EQ(decodeAuditEntry(stored[0].bytes), sampleEntry(t * perThread + i));
    }
  }
  EXPECT_EQ(indexes.size(), threads * perThread);
  EXPECT_EQ(*indexes.rbegin(), threads * perThread - 1);
  std::vector<Hash> leaves;
  for (const auto& entry : log.entries(0, log.size())) leaves.push_back(leafHash(entry.bytes));
  EXPECT_EQ(log.root(), naiveRoot(leaves, leaves.size()));
}

// What an appendAsync() caller learns: the acknowledgements, collected.
class Acknowledgements {
 public:
  AuditLog::Acknowledgement expect(std::size_t id) {
    return [this, id](std::uint64_t index, const std::string& error) {
      std::lock_guard lock(mutex_);
      got_.push_back({id, index, error});
      arrived_.notify_all();
    };
  }
  struct Got {
    std::size_t id;
    std::uint64_t index;
    std::string error;
  };
  std::vector<Got> waitFor(std::size_t count) {
    std::unique_lock lock(mutex_);
    EXPECT_TRUE(arrived_.wait_for(lock, std::chrono::seconds(30), [&] { return got_.size() >= count; }));
    return got_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable arrived_;
  std::vector<Got> got_;
};

TEST(AuditLog, AsynchronousAppendsAreAcknowledgedWithTheirIndexBesideBlockingOnes) {
  testing::TempDir dir("audit-async");
  const std::size_t threads = 4, perThread = 150;  // each kind
  Acknowledgements acknowledgements;
  std::vector<std::vector<std::uint64_t>> blocking(threads);
  {
    AuditLog log(dir.path());
    std::vector<std::thread> workers;
    for (std::size_t t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (std::size_t i = 0; i < perThread; ++i) blocking[t].push_back(log.append(sampleEntry(t * perThread + i)));
      });
      workers.emplace_back([&, t] {
        for (std::size_t i = 0; i < perThread; ++i) {
          const std::size_t id = (threads + t) * perThread + i;
          log.appendAsync(sampleEntry(id), acknowledgements.expect(id));
        }
      });
    }
    for (auto& worker : workers) worker.join();
    const auto got = acknowledgements.waitFor(threads * perThread);
    ASSERT_EQ(got.size(), threads * perThread);
    EXPECT_EQ(log.size(), 2 * threads * perThread);
    // An acknowledged entry is readable at the index it was given.
    std::set<std::uint64_t> indexes;
    for (const auto& ack : got) {
      EXPECT_EQ(ack.error, "");
      indexes.insert(ack.index);
      const auto stored = log.entries(ack.index, ack.index + 1);
      ASSERT_EQ(stored.size(), 1u);
      EXPECT_EQ(decodeAuditEntry(stored[0].bytes), sampleEntry(ack.id));
    }
    for (const auto& indexesOfThread : blocking) indexes.insert(indexesOfThread.begin(), indexesOfThread.end());
    EXPECT_EQ(indexes.size(), 2 * threads * perThread);
  }
  AuditLog log(dir.path());
  EXPECT_EQ(log.size(), 2 * threads * perThread);
  std::vector<Hash> leaves;
  for (const auto& entry : log.entries(0, log.size())) leaves.push_back(leafHash(entry.bytes));
  EXPECT_EQ(log.root(), naiveRoot(leaves, leaves.size()));
  AuditQuery byEntity;
  byEntity.entity = "ent-3";
  byEntity.limit = 10'000;
  EXPECT_EQ(log.search(byEntity).size(), 2 * threads * perThread / 5);
}

TEST(AuditLog, AppendsQueuedBeforeCloseAreAcknowledgedAndLaterOnesRefused) {
  testing::TempDir dir("audit-async-close");
  Acknowledgements acknowledgements;
  const std::size_t queued = 2'000;
  {
    AuditLog log(dir.path());
    for (std::size_t i = 0; i < queued; ++i) log.appendAsync(sampleEntry(i), acknowledgements.expect(i));
    log.close();
    // close() returned: every acknowledgement has been given.
    const auto got = acknowledgements.waitFor(0);
    ASSERT_EQ(got.size(), queued);
    for (std::size_t k = 0; k < got.size(); ++k) {
      EXPECT_EQ(got[k].error, "");
      EXPECT_EQ(got[k].index, got[k].id) << "one appender's entries keep their order";
    }
    EXPECT_THROW(log.appendAsync(sampleEntry(queued), acknowledgements.expect(queued)), AuditLogError);
  }
  EXPECT_EQ(acknowledgements.waitFor(0).size(), queued) << "a refused append is never acknowledged";
  AuditLog log(dir.path());
  EXPECT_EQ(log.size(), queued);
}

TEST(AuditLog, AnAsynchronousAppendThatCannotBeAcknowledgedOrEncodedIsRefusedAtOnce) {
  testing::TempDir dir("audit-async-bad");
  Acknowledgements acknowledgements;
  AuditLog log(dir.path());
  AuditEntry bad = sampleEntry(0);
  bad.details = "{\"n\": ";
  EXPECT_THROW(log.appendAsync(bad, acknowledgements.expect(0)), AuditEntryError);
  EXPECT_THROW(log.appendAsync(sampleEntry(2), AuditLog::Acknowledgement()), std::invalid_argument);
  log.append(sampleEntry(1));
  EXPECT_EQ(log.size(), 1u);
  EXPECT_TRUE(acknowledgements.waitFor(0).empty());
}

// A signed log of 40 entries; each test tampers with the closed database and
// runs the verifier the way `nser audit verify` does.
class AuditLogTamper : public ::testing::Test {
 protected:
  void SetUp() override {
    AuditLog log(dir_.path());
    for (std::size_t i = 0; i < 40; ++i) log.append(sampleEntry(i));
    Checkpoint checkpoint{"test-log", log.size(), log.root(), {}};
    note_ = signCheckpoint(checkpoint, key_);
  }

  void edit(const std::function<void(rocksdb::DB&)>& change) { AuditLog::editStorage(dir_.path(), change); }

  LogVerification verify() {
    AuditLog log(dir_.path());
    LogVerifyInput input;
    input.checkpointNote = note_;
    input.logKey = makeVerifierKey("test-log", kEd25519NoteType, key_.publicKey());
    for (auto& stored : log.entries(0, log.size())) {
      input.entries.push_back(FetchedEntry{stored.index, stored.bytes, stored.leafHash});
    }
    return verifyLog(input);
  }

  testing::TempDir dir_{"audit-tamper"};
  pki::SigningKey key_ = pki::SigningKey::generate();
  std::string note_;
};

TEST_F(AuditLogTamper, UntouchedLogVerifies) {
  const auto result = verify();
  EXPECT_TRUE(result.ok) << result.problem;
  EXPECT_EQ(result.entriesChecked, 40u);
}

TEST_F(AuditLogTamper, FlippedEntryByteIsNamed) {
  edit([](rocksdb::DB& db) {
    std::string value;
    ASSERT_TRUE(db.Get({}, AuditLog::entryKey(17), &value).ok());
    value[value.size() - 3] ^= 0x01;
    ASSERT_TRUE(db.Put({}, AuditLog::entryKey(17), value).ok());
  });
  const auto result = verify();
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.problem.find("entry 17 does not match"), std::string::npos) << result.problem;
}

TEST_F(AuditLogTamper, DeletedEntryIsNamed) {
  edit([](rocksdb::DB& db) { ASSERT_TRUE(db.Delete({}, AuditLog::entryKey(9)).ok()); });
  const auto result = verify();
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.problem.find("entry 9 is missing"), std::string::npos) << result.problem;
}

TEST_F(AuditLogTamper, ReorderedEntriesAreNamed) {
  edit([](rocksdb::DB& db) {
    std::string a, b;
    ASSERT_TRUE(db.Get({}, AuditLog::entryKey(3), &a).ok());
    ASSERT_TRUE(db.Get({}, AuditLog::entryKey(4), &b).ok());
    ASSERT_TRUE(db.Put({}, AuditLog::entryKey(3), b).ok());
    ASSERT_TRUE(db.Put({}, AuditLog::entryKey(4), a).ok());
  });
  const auto result = verify();
  EXPECT_FALSE(result.ok);
  EXPECT_NE(result.problem.find("entry 3 does not match"), std::string::npos) << result.problem;
}

TEST_F(AuditLogTamper, FlippedHashByteBreaksTheRootOrTheProofs) {
  // Every kind of stored hash: a flipped byte must show in the signed root,
  // in the recorded leaf hashes, or in an inclusion proof against the signed
  // root. 40 = 32 + 8 leaves: leaf hashes in tiles 0-4 (first, middle and
  // last leaf of the first, a middle and the last tile), and the first, a
  // middle and the last node of levels 3 to 5 (also held in memory, read
  // from storage when the log opens).
  struct Stored {
    std::string key;
    std::size_t byte;
    std::string name;
  };
  std::vector<Stored> stored;
  for (const std::uint64_t tile : {0, 2, 4}) {
    for (const std::size_t leaf : {0, 3, 7}) {
      stored.push_back({AuditLog::tileKey(tile), leaf * 32 + 5, "tile " + std::to_string(tile) + " leaf " + std::to_string(leaf)});
    }
  }
  for (unsigned level = AuditLog::kFirstCachedLevel; level < 6; ++level) {
    const std::uint64_t count = 40 >> level;
    for (const std::uint64_t index : {std::uint64_t{0}, count / 2, count - 1}) {
      const std::string key = AuditLog::nodeKey(NodeId{level, index});
      if (stored.back().key == key) continue;
      stored.push_back({key, 5, "level " + std::to_string(level) + " index " + std::to_string(index)});
    }
  }
  const Hash signedRoot = parseCheckpoint(parseNote(note_).body).root;
  auto flip = [&](const Stored& place) {
    edit([&](rocksdb::DB& db) {
      std::string value;
      ASSERT_TRUE(db.Get({}, place.key, &value).ok()) << place.name;
      ASSERT_LT(place.byte, value.size()) << place.name;
      value[place.byte] ^= 0x40;
      ASSERT_TRUE(db.Put({}, place.key, value).ok());
    });
  };
  for (const auto& place : stored) {
    flip(place);
    bool detected = !verify().ok;
    {
      AuditLog log(dir_.path());
      detected = detected || log.root() != signedRoot;
      for (std::uint64_t i = 0; i < 40 && !detected; ++i) {
        try {
          verifyInclusion(i, 40, leafHash(log.entries(i, i + 1).at(0).bytes), log.inclusionProof(i, 40), signedRoot);
        } catch (const ProofError&) {
          detected = true;
        }
      }
    }
    EXPECT_TRUE(detected) << place.name;
    flip(place);  // undo for the next one
  }
  EXPECT_TRUE(verify().ok);
}

TEST(AuditLog, ALogInTheFormatBeforeTilesIsRefusedByName) {
  testing::TempDir dir("audit-old-format");
  {
    AuditLog log(dir.path());
    for (std::size_t i = 0; i < 3; ++i) log.append(sampleEntry(i));
  }
  AuditLog::editStorage(dir.path(), [](rocksdb::DB& db) {
    ASSERT_TRUE(db.Delete({}, AuditLog::tileKey(0)).ok());
    ASSERT_TRUE(db.Put({}, AuditLog::nodeKey(NodeId{0, 0}), std::string(32, 'x')).ok());
  });
  try {
    AuditLog log(dir.path());
    FAIL() << "opened";
  } catch (const AuditLogError& e) {
    EXPECT_NE(std::string(e.what()).find("storage format before tiles"), std::string::npos) << e.what();
  }
}

TEST(AuditLog, APartialTileSurvivesReopeningAndGrows) {
  // Sizes that end inside a tile: the open tile is rewritten by the next
  // group, and reopening reads its leaves back.
  testing::TempDir dir("audit-tiles");
  std::vector<Hash> leaves;
  std::size_t n = 0;
  for (const std::size_t step : {3, 1, 6, 9, 2, 13}) {
    {
      AuditLog log(dir.path());
      ASSERT_EQ(log.size(), n);
      std::vector<AuditEntry> group;
      for (std::size_t i = 0; i < step; ++i) group.push_back(sampleEntry(n + i));
      log.appendAll(group);
      n += step;
      leaves = leavesOf(n);
      EXPECT_EQ(log.root(), naiveRoot(leaves, n));
      for (const auto& entry : log.entries(0, n)) EXPECT_EQ(entry.leafHash, leaves[entry.index]) << entry.index;
      for (std::uint64_t i = 0; i < n; ++i) {
        EXPECT_NO_THROW(verifyInclusion(i, n, leaves[i], log.inclusionProof(i, n), log.root())) << i << " of " << n;
      }
    }
  }
}

}  // namespace
}  // namespace nser::audit
