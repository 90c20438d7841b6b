// AuditIndex through AuditLog with small index blocks, so that searches and
// leaf-hash lookups span the ingested column family, the block being
// ingested and the in-memory tail; against a naive filter over all entries,
// across reopening and after a crash between an ingest and its watermark.
#include "audit/audit_index.h"

#include <gtest/gtest.h>
#include <rocksdb/db.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <thread>

#include "audit/audit_log.h"
#include "audit/storage_key.h"
#include "tests/support/temp_dir.h"

namespace nser::audit {
namespace {

// Times are not monotonic in the index (callers stamp entries before they
// queue), so the (time, index) order differs from the index order.
AuditEntry entryNumber(std::size_t i) {
  AuditEntry entry;
  entry.kind = "decision";
  entry.timeMillis = 1'700'000'000'000 + static_cast<std::int64_t>((i * 7919) % 113) * 1000;
  entry.actor = "programme-" + std::to_string(i % 3);
  entry.programme = entry.actor;
  entry.custodian = i % 4 == 0 ? "" : "custodian-" + std::to_string(i % 4);
  entry.entity = std::to_string(100 + i % 17);
  entry.purpose = "eligibility";
  entry.decision = i % 5 == 0 ? "deny" : "permit";
  entry.details = R"({"n":)" + std::to_string(i) + "}";
  return entry;
}

// What search must answer: matching entries in (time, index) order.
std::vector<std::uint64_t> naiveSearch(std::size_t count, const AuditQuery& query) {
  std::vector<std::pair<std::int64_t, std::uint64_t>> hits;
  for (std::size_t i = 0; i < count; ++i) {
    const AuditEntry entry = entryNumber(i);
    if (!query.entity.empty() && entry.entity != query.entity) continue;
    if (!query.custodian.empty() && entry.custodian != query.custodian) continue;
    if (!query.decision.empty() && entry.decision != query.decision) continue;
    if (!query.programme.empty() && entry.programme != query.programme) continue;
    if (entry.timeMillis < query.fromMillis || entry.timeMillis > query.toMillis) continue;
    hits.emplace_back(entry.timeMillis, i);
  }
  std::sort(hits.begin(), hits.end());
  std::vector<std::uint64_t> out;
  for (std::size_t i = 0; i < hits.size() && i < query.limit; ++i) out.push_back(hits[i].second);
  return out;
}

std::vector<std::uint64_t> indexesOf(const std::vector<StoredEntry>& entries) {
  std::vector<std::uint64_t> out;
  for (const auto& entry : entries) out.push_back(entry.index);
  return out;
}

void expectSearchesAgree(const AuditLog& log, std::size_t count) {
  std::vector<AuditQuery> queries;
  for (const std::string entity : {"100", "105", "116", "999"}) {
    AuditQuery query;
    query.entity = entity;
    query.limit = 1000;
    queries.push_back(query);
  }
  AuditQuery byCustodian;
  byCustodian.custodian = "custodian-2";
  byCustodian.decision = "permit";
  byCustodian.limit = 1000;
  queries.push_back(byCustodian);
  AuditQuery window;
  window.programme = "programme-1";
  window.fromMillis = 1'700'000'000'000 + 20'000;
  window.toMillis = 1'700'000'000'000 + 70'000;
  window.limit = 1000;
  queries.push_back(window);
  window.limit = 5;
  queries.push_back(window);
  AuditQuery denials;
  denials.decision = "deny";
  denials.limit = 7;
  queries.push_back(denials);
  for (const auto& query : queries) {
    EXPECT_EQ(indexesOf(log.search(query)), naiveSearch(count, query))
        << "entity '" << query.entity << "' custodian '" << query.custodian << "' programme '" << query.programme
        << "' decision '" << query.decision << "' limit " << query.limit << " after " << count << " entries";
  }
}

// A closed log of entries 0..count-1 in `directory`, every full block ingested.
void writeClosedLog(const std::filesystem::path& directory, const AuditLogOptions& options, std::size_t count) {
  AuditLog log(directory, options);
  for (std::size_t i = 0; i < count; ++i) log.append(entryNumber(i));
  log.flushIndex();
}

std::uint64_t storedWatermark(const AuditLog& log) {
  std::string watermark;
  EXPECT_TRUE(log.database().Get(rocksdb::ReadOptions(), AuditIndex::kWatermarkKey, &watermark).ok());
  return watermark.size() == 8 ? readBigEndian64(watermark) : 0;
}

void expectLookupsFindEveryEntry(const AuditLog& log, std::size_t count) {
  for (std::size_t i = 0; i < count; ++i) {
    const auto found = log.findByLeafHash(leafHash(encodeAuditEntry(entryNumber(i))));
    ASSERT_TRUE(found.has_value()) << "entry " << i << " of " << count;
    EXPECT_EQ(*found, i);
  }
  EXPECT_FALSE(log.findByLeafHash(leafHash("not an entry")).has_value());
}

TEST(AuditIndex, SearchesAndLookupsSpanIngestedBlocksAndTheTail) {
  testing::TempDir dir("audit-index");
  AuditLogOptions options;
  options.indexBlockEntries = 16;
  std::size_t count = 0;
  {
    AuditLog log(dir.path(), options);
    // Some single appends, some groups, with checks in between: the ingester
    // runs behind the committer, so the boundaries fall anywhere.
    for (const std::size_t step : {5, 11, 1, 40, 3, 29, 60}) {
      std::vector<AuditEntry> group;
      for (std::size_t i = 0; i < step; ++i) group.push_back(entryNumber(count + i));
      if (step == 1) {
        log.append(group[0]);
      } else {
        log.appendAll(group);
      }
      count += step;
      expectSearchesAgree(log, count);
      expectLookupsFindEveryEntry(log, count);
    }
    log.flushIndex();
    expectSearchesAgree(log, count);
    expectLookupsFindEveryEntry(log, count);
    // Blocks went to storage: the watermark is past all full blocks.
    EXPECT_EQ(storedWatermark(log), count - count % 16);
  }
  // Reopened: the tail is rebuilt from the entries past the watermark.
  AuditLog log(dir.path(), options);
  expectSearchesAgree(log, count);
  expectLookupsFindEveryEntry(log, count);
  log.append(entryNumber(count));
  ++count;
  expectSearchesAgree(log, count);
}

TEST(AuditIndex, ALostWatermarkNeitherDuplicatesNorLosesResults) {
  // A crash after a block's ingest but before its watermark was recorded: the
  // index family holds keys for entries the log re-indexes when it opens.
  testing::TempDir dir("audit-index-crash");
  AuditLogOptions options;
  options.indexBlockEntries = 8;
  const std::size_t count = 45;
  writeClosedLog(dir.path(), options, count);
  AuditLog::editStorage(dir.path(), [](rocksdb::DB& db) {
    std::string watermark;
    putBigEndian64(watermark, 16);
    ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), AuditIndex::kWatermarkKey, watermark).ok());
  });
  AuditLog log(dir.path(), options);
  expectSearchesAgree(log, count);
  expectLookupsFindEveryEntry(log, count);
}

TEST(AuditIndex, ANewIndexIsBuiltFromTheWholeLog) {
  // A log whose index was never written (the watermark is gone, the index
  // family empty or stale): opening it indexes every entry, block by block.
  testing::TempDir dir("audit-index-rebuild");
  const std::size_t count = 70;
  {
    AuditLogOptions large;
    large.indexBlockEntries = 1000;
    AuditLog log(dir.path(), large);
    for (std::size_t i = 0; i < count; ++i) log.append(entryNumber(i));
  }
  AuditLogOptions small;
  small.indexBlockEntries = 8;
  AuditLog log(dir.path(), small);
  EXPECT_EQ(storedWatermark(log), 64u);
  expectSearchesAgree(log, count);
  expectLookupsFindEveryEntry(log, count);
}

TEST(AuditIndex, AFailedIngestKeepsTheBlockInMemoryAndIsRetried) {
  testing::TempDir dir("audit-index-retry");
  AuditLogOptions options;
  options.indexBlockEntries = 8;
  AuditLog log(dir.path(), options);
  // The ingest writes its SST file in this directory: a file in its place
  // makes every ingest fail until it is a directory again.
  const auto scratch = dir.path() / "index-ingest";
  std::filesystem::remove_all(scratch);
  testing::writeFile(scratch, "in the way");
  const std::size_t count = 20;
  for (std::size_t i = 0; i < count; ++i) log.append(entryNumber(i));
  try {
    log.flushIndex();
    FAIL() << "the ingest succeeded";
  } catch (const AuditLogError& e) {
    EXPECT_NE(std::string(e.what()).find("index-ingest"), std::string::npos) << e.what();
  }
  expectSearchesAgree(log, count);
  expectLookupsFindEveryEntry(log, count);
  std::filesystem::remove(scratch);
  std::filesystem::create_directory(scratch);
  // Retried within a second or so; flush waits through the retries.
  for (int attempt = 0; attempt < 100; ++attempt) {
    try {
      log.flushIndex();
      break;
    } catch (const AuditLogError&) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  }
  EXPECT_NO_THROW(log.flushIndex());
  EXPECT_EQ(storedWatermark(log), 16u);
  expectSearchesAgree(log, count);
  expectLookupsFindEveryEntry(log, count);
}

TEST(AuditIndex, IdenticalEntriesFindTheNewest) {
  testing::TempDir dir("audit-index-same");
  AuditLogOptions options;
  options.indexBlockEntries = 4;
  AuditLog log(dir.path(), options);
  const AuditEntry same = entryNumber(1);
  // 0 and 3 share the first block, 6 is in the second: both go to storage.
  for (std::size_t i = 0; i < 8; ++i) log.append(i % 3 == 0 ? same : entryNumber(100 + i));
  log.flushIndex();
  EXPECT_EQ(log.findByLeafHash(leafHash(encodeAuditEntry(same))), std::optional<std::uint64_t>(6));
  log.append(same);
  EXPECT_EQ(log.findByLeafHash(leafHash(encodeAuditEntry(same))), std::optional<std::uint64_t>(8));
}

TEST(AuditIndex, SearchesDuringConcurrentAppendsSeeEveryCommittedEntry) {
  testing::TempDir dir("audit-index-live");
  AuditLogOptions options;
  options.indexBlockEntries = 32;
  AuditLog log(dir.path(), options);
  std::atomic<bool> done{false};
  std::thread appender([&] {
    for (std::size_t i = 0; i < 600; ++i) log.append(entryNumber(i));
    done = true;
  });
  AuditQuery query;
  query.entity = "103";
  query.limit = 10'000;
  while (!done) {
    // Every entry below the size read before the search is found by it.
    const std::uint64_t before = log.size();
    const auto hits = indexesOf(log.search(query));
    std::size_t expected = 0;
    for (std::uint64_t i = 0; i < before; ++i) expected += entryNumber(i).entity == "103" ? 1 : 0;
    EXPECT_GE(hits.size(), expected) << "size " << before;
    EXPECT_TRUE(std::is_sorted(hits.begin(), hits.end(), [](std::uint64_t a, std::uint64_t b) {
      const auto ta = entryNumber(a).timeMillis, tb = entryNumber(b).timeMillis;
      return ta != tb ? ta < tb : a < b;
    }));
  }
  appender.join();
  expectSearchesAgree(log, 600);
}

TEST(AuditIndex, EachBlockIsStoredOnceInTheLastLevelAndNeverCompacted) {
  // Keys carry their block's first index, so a block's file overlaps no
  // other: every ingested file lands in the last level, none in level 0, and
  // RocksDB never rewrites the index (one file per block, bytes written once).
  testing::TempDir dir("audit-index-levels");
  AuditLogOptions options;
  options.indexBlockEntries = 8;
  const std::size_t count = 8 * 12 + 3;
  AuditLog log(dir.path(), options);
  for (std::size_t i = 0; i < count; ++i) log.append(entryNumber(i));
  log.flushIndex();
  std::vector<rocksdb::LiveFileMetaData> files;
  log.database().GetLiveFilesMetaData(&files);
  std::size_t indexFiles = 0;
  for (const auto& file : files) {
    if (file.column_family_name != "index") continue;
    ++indexFiles;
    EXPECT_EQ(file.level, log.database().NumberLevels() - 1) << file.name;
  }
  EXPECT_EQ(indexFiles, 12u);
  expectSearchesAgree(log, count);
  expectLookupsFindEveryEntry(log, count);
}

TEST(AuditIndex, AnUnpartitionedIndexIsDroppedAndRebuilt) {
  // A log indexed before keys carried their block (its watermark key was
  // "mindexed"): opening it removes that key and indexes the whole log.
  testing::TempDir dir("audit-index-legacy");
  AuditLogOptions options;
  options.indexBlockEntries = 8;
  const std::size_t count = 30;
  writeClosedLog(dir.path(), options, count);
  AuditLog::editStorage(dir.path(), [](rocksdb::DB& db) {
    std::string watermark;
    putBigEndian64(watermark, 24);
    ASSERT_TRUE(db.Put(rocksdb::WriteOptions(), "mindexed", watermark).ok());
    ASSERT_TRUE(db.Delete(rocksdb::WriteOptions(), AuditIndex::kWatermarkKey).ok());
  });
  AuditLog log(dir.path(), options);
  std::string legacy;
  EXPECT_TRUE(log.database().Get(rocksdb::ReadOptions(), "mindexed", &legacy).IsNotFound());
  EXPECT_EQ(storedWatermark(log), 24u);
  expectSearchesAgree(log, count);
  expectLookupsFindEveryEntry(log, count);
}

}  // namespace
}  // namespace nser::audit
