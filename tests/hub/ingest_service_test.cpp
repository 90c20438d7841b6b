#include "hub/ingest_service.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <future>
#include <thread>

#include "service/http_error.h"
#include "tests/hub/test_encodings.h"
#include "tests/support/temp_dir.h"

using namespace nser;
using namespace nser::hub;

namespace {

const std::string kSchemaDir = std::string(NSER_SOURCE_DIR) + "/schemas/linkage/";

Party custodian(const std::string& id, std::uint32_t number) {
  Party party;
  party.id = id;
  party.role = Role::Custodian;
  party.custodianNumber = number;
  return party;
}

struct Hub {
  explicit Hub(const std::filesystem::path& directory, const linkage::LinkageSchema& schema,
               IngestOptions options = {})
      : store(directory.string()),
        service(store, EncodingBinding{schema.schemaId, schema.digest, 1, ""},
                linkage::loadLinkSettings(kSchemaDir + "nser-person-v1.link.json"),
                linkage::FellegiSunterModel::loadFile(kSchemaDir + "nser-person-v1.model.json"), options) {}
  HubStore store;
  IngestService service;
};

Poco::JSON::Object::Ptr parse(const std::string& json) {
  Poco::JSON::Parser parser;
  return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

int statusOf(const std::function<void()>& action, std::string* code = nullptr) {
  try {
    action();
  } catch (const service::HttpError& e) {
    if (code) *code = e.code();
    return e.status();
  }
  return 0;
}

linkage::EntityId entityOf(const EntityIndex& index, const linkage::EncodedRecord& record) {
  const auto hits = index.search(record, 1, 0.9);
  return hits.empty() ? 0 : hits.front().entity;
}

}  // namespace

TEST(IngestService, LinksOnePersonAcrossCustodiansIntoOneEntity) {
  nser::testing::TempDir dir;
  nser::testing::TestEncoder encoder;
  Hub hub(dir / "db", encoder.schema());
  const auto nser = custodian("nser", 1);
  const auto punjab = custodian("punjab", 2);
  auto ack = parse(hub.service.ingest(nser, protocol::serialiseIngestBatch(encoder.batch("nser", 1, "n-", 0, 8, false))));
  EXPECT_EQ(ack->getValue<std::string>("status"), "applied");
  EXPECT_EQ(ack->getValue<int>("upserted"), 8);
  EXPECT_EQ(ack->getValue<int>("entities_created"), 8);
  ack = parse(hub.service.ingest(punjab, protocol::serialiseIngestBatch(encoder.batch("punjab", 1, "p-", 0, 4, true))));
  EXPECT_EQ(ack->getValue<int>("entities_created"), 0);  // all four joined NSER's entities
  const EntityIndex* index = hub.service.index();
  ASSERT_NE(index, nullptr);
  EXPECT_EQ(index->recordCount(), 12u);
  EXPECT_EQ(index->entityCount(), 8u);
  const auto hits = index->search(encoder.person("query", 2, true), 5, 0.5);
  ASSERT_FALSE(hits.empty());
  EXPECT_EQ(hits.front().custodians, (std::vector<std::uint32_t>{1, 2}));
  EXPECT_GT(hits.front().probability, 0.9);
  // The exact CNIC token finds the same entity, and only it.
  const auto record = encoder.person("query", 2);
  const auto cnic = std::find_if(record.tokens.begin(), record.tokens.end(),
                                 [](const linkage::KeyedToken& t) { return t.kind == linkage::TokenKind::Cnic; });
  ASSERT_NE(cnic, record.tokens.end());
  const auto byToken = index->searchToken(*cnic, 5);
  ASSERT_EQ(byToken.size(), 1u);
  EXPECT_EQ(byToken.front().entity, hits.front().entity);
  // Someone else is not that entity.
  EXPECT_NE(entityOf(*index, encoder.person("q", 5)), hits.front().entity);
}

TEST(IngestService, ARetriedBatchIsAppliedOnce) {
  nser::testing::TempDir dir;
  nser::testing::TestEncoder encoder;
  Hub hub(dir / "db", encoder.schema());
  const auto nser = custodian("nser", 1);
  const std::string bytes = protocol::serialiseIngestBatch(encoder.batch("nser", 1, "n-", 0, 4, false));
  const auto first = parse(hub.service.ingest(nser, bytes));
  const auto again = parse(hub.service.ingest(nser, bytes));
  EXPECT_EQ(first->getValue<std::string>("status"), "applied");
  EXPECT_EQ(again->getValue<std::string>("status"), "duplicate");
  EXPECT_EQ(again->getValue<int>("upserted"), 4);  // the original acknowledgement
  EXPECT_EQ(hub.service.index()->recordCount(), 4u);
  EXPECT_EQ(hub.service.counters().batchesApplied.load(), 1u);
  EXPECT_EQ(hub.service.counters().batchesDuplicate.load(), 1u);
  EXPECT_EQ(hub.service.lastSequence("nser"), 1u);
}

TEST(IngestService, EnforcesSequenceIdempotencyAndOwnership) {
  nser::testing::TempDir dir;
  nser::testing::TestEncoder encoder;
  Hub hub(dir / "db", encoder.schema());
  const auto nser = custodian("nser", 1);
  hub.service.ingest(nser, protocol::serialiseIngestBatch(encoder.batch("nser", 1, "n-", 0, 2, false)));
  std::string code;
  // Same key, other content.
  auto changed = encoder.batch("nser", 1, "n-", 0, 3, false);
  EXPECT_EQ(statusOf([&] { hub.service.ingest(nser, protocol::serialiseIngestBatch(changed)); }, &code), 409);
  EXPECT_EQ(code, "idempotency_conflict");
  // An applied sequence under a new key.
  auto reused = encoder.batch("nser", 1, "n-", 5, 1, false);
  reused.idempotencyKey = "another-key-1";
  EXPECT_EQ(statusOf([&] { hub.service.ingest(nser, protocol::serialiseIngestBatch(reused)); }, &code), 409);
  EXPECT_EQ(code, "sequence_conflict");
  // A gap.
  EXPECT_EQ(statusOf([&] { hub.service.ingest(nser, protocol::serialiseIngestBatch(encoder.batch("nser", 3, "n-", 5, 1, false))); }, &code), 409);
  EXPECT_EQ(code, "sequence_gap");
  // Another custodian's records.
  EXPECT_EQ(statusOf([&] { hub.service.ingest(custodian("punjab", 2), protocol::serialiseIngestBatch(encoder.batch("nser", 2, "n-", 5, 1, false))); }, &code), 403);
  EXPECT_EQ(code, "wrong_custodian");
  // Garbage.
  EXPECT_EQ(statusOf([&] { hub.service.ingest(nser, "not a batch"); }, &code), 400);
  EXPECT_EQ(code, "malformed_batch");
  EXPECT_EQ(hub.service.index()->recordCount(), 2u);
  EXPECT_EQ(hub.service.lastSequence("nser"), 1u);
}

TEST(IngestService, RefusesEncodingsOfAnotherSchemaOrKeyEpoch) {
  nser::testing::TempDir dir;
  nser::testing::TestEncoder encoder;
  Hub hub(dir / "db", encoder.schema());
  const auto nser = custodian("nser", 1);
  std::string code;
  auto batch = encoder.batch("nser", 1, "n-", 0, 1, false);
  batch.encoding.keyEpoch = 2;
  EXPECT_EQ(statusOf([&] { hub.service.ingest(nser, protocol::serialiseIngestBatch(batch)); }, &code), 422);
  EXPECT_EQ(code, "encoding_mismatch");
  batch = encoder.batch("nser", 1, "n-", 0, 1, false);
  batch.encoding.schemaDigest = std::string(64, '0');
  EXPECT_EQ(statusOf([&] { hub.service.ingest(nser, protocol::serialiseIngestBatch(batch)); }, &code), 422);
  EXPECT_EQ(hub.service.index(), nullptr);
}

TEST(IngestService, TombstonesRemoveRecordsAndUnknownOnesAreCounted) {
  nser::testing::TempDir dir;
  nser::testing::TestEncoder encoder;
  Hub hub(dir / "db", encoder.schema());
  const auto nser = custodian("nser", 1);
  hub.service.ingest(nser, protocol::serialiseIngestBatch(encoder.batch("nser", 1, "n-", 0, 3, false)));
  auto batch = encoder.batch("nser", 2, "n-", 0, 0, false);
  for (const std::string reference : {"n-1", "n-9"}) {
    protocol::IngestOperation tombstone;
    tombstone.kind = protocol::OperationKind::Delete;
    tombstone.record.id = reference;
    batch.operations.push_back(tombstone);
  }
  const auto ack = parse(hub.service.ingest(nser, protocol::serialiseIngestBatch(batch)));
  EXPECT_EQ(ack->getValue<int>("deleted"), 1);
  EXPECT_EQ(ack->getValue<int>("delete_unknown"), 1);
  EXPECT_EQ(hub.service.index()->recordCount(), 2u);
  EXPECT_EQ(entityOf(*hub.service.index(), encoder.person("q", 1)), 0u);
}

TEST(IngestService, StateAndEntityIdsSurviveARestart) {
  nser::testing::TempDir dir;
  nser::testing::TestEncoder encoder;
  std::vector<linkage::EntityId> before;
  {
    Hub hub(dir / "db", encoder.schema());
    hub.service.ingest(custodian("nser", 1), protocol::serialiseIngestBatch(encoder.batch("nser", 1, "n-", 0, 8, false)));
    hub.service.ingest(custodian("punjab", 2), protocol::serialiseIngestBatch(encoder.batch("punjab", 1, "p-", 0, 5, true)));
    for (int n = 0; n < 8; ++n) before.push_back(entityOf(*hub.service.index(), encoder.person("q", n)));
  }
  Hub hub(dir / "db", encoder.schema());
  ASSERT_NE(hub.service.index(), nullptr);
  EXPECT_EQ(hub.service.index()->recordCount(), 13u);
  EXPECT_EQ(hub.service.index()->entityCount(), 8u);
  for (int n = 0; n < 8; ++n) EXPECT_EQ(entityOf(*hub.service.index(), encoder.person("q", n)), before[static_cast<std::size_t>(n)]);
  EXPECT_EQ(hub.service.lastSequence("punjab"), 1u);
  // Replaying an applied batch after the restart is still a duplicate.
  const auto ack = parse(hub.service.ingest(custodian("nser", 1), protocol::serialiseIngestBatch(encoder.batch("nser", 1, "n-", 0, 8, false))));
  EXPECT_EQ(ack->getValue<std::string>("status"), "duplicate");
  // New records get new entities with higher ids.
  hub.service.ingest(custodian("nser", 1), protocol::serialiseIngestBatch(encoder.batch("nser", 2, "n-", 8, 1, false)));
  EXPECT_GT(entityOf(*hub.service.index(), encoder.person("q", 8)), *std::max_element(before.begin(), before.end()));
}

TEST(IngestService, RefusesWithRetryAfterWhenTooManyBatchesWait) {
  nser::testing::TempDir dir;
  nser::testing::TestEncoder encoder;
  IngestOptions options;
  options.maxQueuedBatches = 1;
  options.retryAfterSeconds = 3;
  Hub hub(dir / "db", encoder.schema(), options);
  const auto nser = custodian("nser", 1);
  const std::string first = protocol::serialiseIngestBatch(encoder.batch("nser", 1, "n-", 0, 2, false));
  const std::string second = protocol::serialiseIngestBatch(encoder.batch("nser", 2, "n-", 2, 2, false));
  std::promise<void> holding;
  std::promise<void> release;
  std::thread writer([&] {
    hub.service.exclusive([&](EntityIndex*, HubStore&) {  // the writer is busy ...
      holding.set_value();
      release.get_future().wait();
    });
  });
  holding.get_future().wait();
  std::thread waiting([&] { hub.service.ingest(nser, first); });  // ... one batch waits for it ...
  while (hub.service.queuedBatches() < 1) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  int status = 0;
  int retryAfter = 0;
  try {
    hub.service.ingest(nser, second);  // ... and one more is refused.
  } catch (const service::HttpError& e) {
    status = e.status();
    retryAfter = e.retryAfterSeconds();
  }
  release.set_value();
  writer.join();
  waiting.join();
  EXPECT_EQ(status, 429);
  EXPECT_EQ(retryAfter, 3);
  EXPECT_EQ(hub.service.counters().batchesThrottled.load(), 1u);
  EXPECT_EQ(hub.service.lastSequence("nser"), 1u);
  // Once the queue drained the refused batch goes through.
  EXPECT_EQ(parse(hub.service.ingest(nser, second))->getValue<std::string>("status"), "applied");
}
