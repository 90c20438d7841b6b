// The hub's side of a linkage-key rotation (hub/linkage_rotation.h): staging
// next-epoch encodings without re-resolving, progress per custodian, the
// switch (refused until complete, or forced), abort, restart, and what is
// accepted and searched at each step.
#include "hub/linkage_rotation.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>

#include "linkage/record_encoder.h"
#include "service/http_error.h"
#include "tests/support/temp_dir.h"

using namespace nser;
using namespace nser::hub;

namespace {

const std::string kSchemaDir = std::string(NSER_SOURCE_DIR) + "/schemas/linkage/";

// Encodes the same hand-made people under a given secret and key epoch.
class EpochEncoder {
 public:
  EpochEncoder(std::string_view secret, std::uint32_t epoch)
      : secret_(linkage::LinkageSecret::fromBytes({reinterpret_cast<const std::uint8_t*>(secret.data()), secret.size()},
                                                  epoch)),
        encoder_(linkage::loadLinkageSchema(kSchemaDir + "nser-person-v1.json"), secret_, {2026, 11, 26}),
        workspace_(encoder_.makeWorkspace()),
        binding_(encoder_.bind(header())) {}

  static const std::vector<std::string>& header() {
    static const std::vector<std::string> kHeader = {"rec_id", "cnic",     "name",    "relation_type",
                                                     "relation_name", "gender", "dob", "district",
                                                     "tehsil", "province", "address", "phone"};
    return kHeader;
  }

  // Person n; `variant` spells the name as another custodian would; `moved`
  // changes the district (a real change of the record).
  linkage::EncodedRecord person(const std::string& reference, int n, bool variant = false, bool moved = false) {
    static const std::vector<std::string> kNames = {"Muhammad Qasim", "Zainab Bibi",   "Ghulam Abbas", "Ayesha Noor",
                                                    "Imran Khan",     "Sadia Parveen", "Tariq Mehmood", "Nasreen Akhtar"};
    static const std::vector<std::string> kVariants = {"Mohd Kasim", "Zenab Bibi",     "Gulam Abas",    "Aisha Noor",
                                                       "Imran Kahn", "Saadia Perveen", "Tariq Mahmood", "Nasrin Akhter"};
    const auto i = static_cast<std::size_t>(n) % kNames.size();
    const bool female = i % 2 == 1;
    char cnic[32];
    std::snprintf(cnic, sizeof cnic, "35202-%07d-%d", 1000000 + n * 7919 % 8999999, female ? 2 : 1);
    char dob[16];
    std::snprintf(dob, sizeof dob, "19%02d-%02d-%02d", 60 + n % 40, 1 + n % 12, 1 + n % 28);
    std::vector<std::string> row = {reference, cnic, variant ? kVariants[i] : kNames[i], female ? "d/o" : "s/o",
                                    "Allah Ditta", female ? "F" : "M", dob, moved ? "Kasur" : "Lahore",
                                    moved ? "Kasur" : "Lahore City", "Punjab", "House " + std::to_string(n), ""};
    linkage::EncodedRecord record;
    const auto outcome = encoder_.encodeRow(row, binding_, 2, workspace_, record);
    if (!outcome.ok) throw std::runtime_error("test encoding failed: " + outcome.reason);
    return record;
  }

  protocol::IngestBatch batch(const std::string& custodian, std::uint64_t sequence, const std::string& prefix,
                              int first, int count, bool variant) {
    protocol::IngestBatch out = empty(custodian, sequence);
    for (int n = first; n < first + count; ++n) upsert(out, person(prefix + std::to_string(n), n, variant));
    return out;
  }
  protocol::IngestBatch empty(const std::string& custodian, std::uint64_t sequence) const {
    protocol::IngestBatch out;
    out.custodian = custodian;
    out.sequence = sequence;
    out.idempotencyKey = custodian + "-batch-" + std::to_string(sequence);
    out.encoding = encoder_.header();
    return out;
  }
  static void upsert(protocol::IngestBatch& batch, linkage::EncodedRecord record) {
    protocol::IngestOperation operation;
    operation.record = std::move(record);
    batch.operations.push_back(std::move(operation));
  }
  static void erase(protocol::IngestBatch& batch, const std::string& reference) {
    protocol::IngestOperation operation;
    operation.kind = protocol::OperationKind::Delete;
    operation.record.id = reference;
    batch.operations.push_back(std::move(operation));
  }
  const linkage::LinkageSchema& schema() const { return encoder_.schema(); }

 private:
  linkage::LinkageSecret secret_;
  linkage::RecordEncoder encoder_;
  linkage::EncoderWorkspace workspace_;
  linkage::ColumnBinding binding_;
};

constexpr std::string_view kOldSecret = "rotation test linkage secret, epoch one";
constexpr std::string_view kNewSecret = "rotation test linkage secret, epoch two!";

// A hub's ingest, parties and rotation on a store in `directory`.
struct Hub {
  Hub(const std::filesystem::path& directory, const linkage::LinkageSchema& schema)
      : store(directory.string()),
        parties(store),
        ingest(store, EncodingBinding{schema.schemaId, schema.digest, 1, ""},
               linkage::loadLinkSettings(kSchemaDir + "nser-person-v1.link.json"),
               linkage::FellegiSunterModel::loadFile(kSchemaDir + "nser-person-v1.model.json"), IngestOptions{}),
        rotation(ingest, parties) {}
  Party custodian(const std::string& id) {
    if (auto existing = parties.find(id)) return *existing;
    Party party;
    party.id = id;
    party.role = Role::Custodian;
    return parties.add(party);
  }
  std::string push(const std::string& custodianId, const protocol::IngestBatch& batch) {
    return ingest.ingest(custodian(custodianId), protocol::serialiseIngestBatch(batch));
  }
  linkage::EntityId entityOf(const std::string& custodianId, const std::string& reference) {
    const auto entity = ingest.index()->entityOfReference(custodian(custodianId).custodianNumber, reference);
    return entity.value_or(0);
  }
  HubStore store;
  PartyRegistry parties;
  IngestService ingest;
  LinkageRotation rotation;
};

Poco::JSON::Object::Ptr parse(const std::string& json) {
  Poco::JSON::Parser parser;
  return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

// The HTTP status and message of a refusal (0 when `action` succeeds).
int refusal(const std::function<void()>& action, std::string* message = nullptr) {
  try {
    action();
  } catch (const service::HttpError& e) {
    if (message) *message = std::string(e.code()) + ": " + e.what();
    return e.status();
  }
  return 0;
}

// Per custodian id: {records, re_encoded, new_at_next_epoch}.
std::map<std::string, std::vector<std::uint64_t>> progress(const Hub& hub) {
  std::map<std::string, std::vector<std::uint64_t>> out;
  const auto status = parse(hub.rotation.status());
  const auto custodians = status->getArray("custodians");
  for (std::size_t i = 0; custodians && i < custodians->size(); ++i) {
    const auto row = custodians->getObject(static_cast<unsigned>(i));
    out[row->getValue<std::string>("custodian")] = {row->getValue<std::uint64_t>("records"),
                                                    row->getValue<std::uint64_t>("re_encoded"),
                                                    row->getValue<std::uint64_t>("new_at_next_epoch")};
  }
  return out;
}

// Two custodians holding persons 0-7 (NSER) and 0-3 (Punjab, other spellings) at epoch 1.
void syncAtEpochOne(Hub& hub, EpochEncoder& old) {
  hub.push("nser", old.batch("nser", 1, "n-", 0, 8, false));
  hub.push("punjab", old.batch("punjab", 1, "p-", 0, 4, true));
}

std::map<std::string, linkage::EntityId> entityIds(Hub& hub) {
  std::map<std::string, linkage::EntityId> ids;
  for (int n = 0; n < 8; ++n) ids["n-" + std::to_string(n)] = hub.entityOf("nser", "n-" + std::to_string(n));
  for (int n = 0; n < 4; ++n) ids["p-" + std::to_string(n)] = hub.entityOf("punjab", "p-" + std::to_string(n));
  return ids;
}

linkage::EntityId searchOne(const EntityIndex& index, const linkage::EncodedRecord& query, std::uint32_t epoch) {
  const auto hits = index.searchAtEpoch(query, epoch, 1, 0.9);
  if (!hits) return UINT64_MAX;  // refused: the index is at another epoch
  return hits->empty() ? 0 : hits->front().entity;
}

}  // namespace

TEST(LinkageRotation, NextEpochBatchesAreStagedWithoutResolvingAndSearchStaysAtTheCurrentEpoch) {
  nser::testing::TempDir dir;
  EpochEncoder old(kOldSecret, 1);
  EpochEncoder next(kNewSecret, 2);
  Hub hub(dir / "db", old.schema());
  syncAtEpochOne(hub, old);
  const auto before = entityIds(hub);
  EXPECT_EQ(before.at("n-2"), before.at("p-2"));  // linked across custodians
  const std::size_t entities = hub.ingest.index()->entityCount();

  // Before the prepare, epoch 2 is refused.
  std::string message;
  EXPECT_EQ(refusal([&] { hub.push("nser", next.batch("nser", 2, "n-", 0, 8, false)); }, &message), 422);
  EXPECT_NE(message.find("key_epoch"), std::string::npos) << message;

  const auto prepared = parse(hub.rotation.prepare(2, "", "admin"));
  EXPECT_EQ(prepared->getValue<std::string>("state"), "prepared");
  EXPECT_EQ(prepared->getValue<std::uint32_t>("next_epoch"), 2u);
  EXPECT_EQ(refusal([&] { hub.rotation.prepare(3, "", "admin"); }), 409);  // one rotation at a time
  EXPECT_EQ(refusal([&] { hub.rotation.prepare(2, "", "admin"); }), 0);    // a retried prepare is harmless

  const auto ack = parse(hub.push("nser", next.batch("nser", 2, "n-", 0, 8, false)));
  EXPECT_EQ(ack->getValue<std::string>("status"), "applied");
  EXPECT_EQ(ack->getValue<int>("upserted"), 8);
  EXPECT_EQ(ack->getValue<int>("entities_created"), 0);
  EXPECT_EQ(hub.ingest.index()->entityCount(), entities);
  EXPECT_EQ(entityIds(hub), before);
  // Re-sending the same encodings changes nothing.
  const auto again = parse(hub.push("nser", next.batch("nser", 3, "n-", 0, 8, false)));
  EXPECT_EQ(again->getValue<int>("unchanged"), 8);

  auto rows = progress(hub);
  EXPECT_EQ(rows["nser"], (std::vector<std::uint64_t>{8, 8, 0}));
  EXPECT_EQ(rows["punjab"], (std::vector<std::uint64_t>{4, 0, 0}));
  EXPECT_FALSE(parse(hub.rotation.status())->getValue<bool>("ready_to_switch"));

  // Epoch 1 is still current: ingest and search there work, epoch 2 is not searched.
  hub.push("punjab", old.batch("punjab", 2, "p-", 4, 1, true));
  EXPECT_EQ(hub.entityOf("punjab", "p-4"), before.at("n-4"));
  EXPECT_EQ(searchOne(*hub.ingest.index(), old.person("q", 3), 1), before.at("n-3"));
  EXPECT_EQ(searchOne(*hub.ingest.index(), next.person("q", 3), 2), UINT64_MAX);
}

TEST(LinkageRotation, TheSwitchWaitsForEveryRecordThenKeepsEntityIdsAndRefusesTheOldEpoch) {
  nser::testing::TempDir dir;
  EpochEncoder old(kOldSecret, 1);
  EpochEncoder next(kNewSecret, 2);
  Hub hub(dir / "db", old.schema());
  syncAtEpochOne(hub, old);
  const auto before = entityIds(hub);
  const std::size_t entities = hub.ingest.index()->entityCount();
  hub.rotation.prepare(2, "", "admin");
  hub.push("nser", next.batch("nser", 2, "n-", 0, 8, false));

  std::string message;
  EXPECT_EQ(refusal([&] { hub.rotation.switchNow(false); }, &message), 409);
  EXPECT_NE(message.find("rotation_incomplete"), std::string::npos) << message;
  EXPECT_NE(message.find("punjab 4 of 4"), std::string::npos) << message;
  EXPECT_EQ(hub.ingest.keyEpochs().current, 1u);

  hub.push("punjab", next.batch("punjab", 2, "p-", 0, 4, true));
  EXPECT_TRUE(parse(hub.rotation.status())->getValue<bool>("ready_to_switch"));
  const auto switched = parse(hub.rotation.switchNow(false));
  EXPECT_EQ(switched->getValue<std::uint32_t>("current_epoch"), 2u);
  EXPECT_EQ(switched->getValue<std::uint32_t>("previous_epoch"), 1u);
  EXPECT_EQ(switched->getObject("result")->getValue<std::uint64_t>("re_encoded"), 12u);
  EXPECT_EQ(switched->getObject("result")->getValue<std::uint64_t>("rescored"), 0u);
  EXPECT_EQ(switched->getValue<std::string>("state"), "idle");

  EXPECT_EQ(entityIds(hub), before);
  EXPECT_EQ(hub.ingest.index()->entityCount(), entities);
  // Search: the new key finds the entity, the old key is refused.
  const EntityIndex& index = *hub.ingest.index();
  EXPECT_EQ(searchOne(index, next.person("q", 2, true), 2), before.at("n-2"));
  EXPECT_EQ(searchOne(index, old.person("q", 2, true), 1), UINT64_MAX);
  const auto cnic = [](const linkage::EncodedRecord& r) {
    return *std::find_if(r.tokens.begin(), r.tokens.end(),
                         [](const linkage::KeyedToken& t) { return t.kind == linkage::TokenKind::Cnic; });
  };
  ASSERT_EQ(index.searchToken(cnic(next.person("q", 5)), 2).size(), 1u);
  EXPECT_EQ(index.searchToken(cnic(next.person("q", 5)), 2).front().entity, before.at("n-5"));
  EXPECT_TRUE(index.searchToken(cnic(old.person("q", 5)), 2).empty());

  // Epoch 1 is refused, naming both epochs; epoch 2 goes on resolving.
  EXPECT_EQ(refusal([&] { hub.push("nser", old.batch("nser", 3, "n-", 8, 1, false)); }, &message), 422);
  EXPECT_NE(message.find("'1'"), std::string::npos) << message;
  EXPECT_NE(message.find("'2'"), std::string::npos) << message;
  hub.push("punjab", next.batch("punjab", 3, "p-", 6, 1, true));
  EXPECT_EQ(hub.entityOf("punjab", "p-6"), before.at("n-6"));
  EXPECT_EQ(refusal([&] { hub.rotation.switchNow(false); }), 409);  // nothing prepared
  EXPECT_EQ(refusal([&] { hub.rotation.prepare(2, "", "admin"); }), 400);  // not above the current epoch
}

TEST(LinkageRotation, RecordsNewOrChangedDuringTheRotationAreResolvedAtTheSwitch) {
  nser::testing::TempDir dir;
  EpochEncoder old(kOldSecret, 1);
  EpochEncoder next(kNewSecret, 2);
  Hub hub(dir / "db", old.schema());
  syncAtEpochOne(hub, old);
  const auto before = entityIds(hub);
  hub.rotation.prepare(2, "", "admin");
  hub.push("nser", next.batch("nser", 2, "n-", 0, 8, false));
  // Punjab, already at epoch 2: its four records, a new one (person 6) and
  // then record p-1 changed (moved house) at epoch 2.
  auto batch = next.batch("punjab", 2, "p-", 0, 4, true);
  EpochEncoder::upsert(batch, next.person("p-6", 6, true));
  hub.push("punjab", batch);
  auto changed = next.empty("punjab", 3);
  EpochEncoder::upsert(changed, next.person("p-1", 1, true, true));
  hub.push("punjab", changed);
  EXPECT_EQ(progress(hub)["punjab"], (std::vector<std::uint64_t>{4, 4, 1}));
  EXPECT_EQ(hub.entityOf("punjab", "p-6"), 0u);  // not resolved before the switch

  // NSER changes n-7 at epoch 1 after re-encoding it: its epoch-2 encoding is stale.
  auto stale = old.empty("nser", 3);
  EpochEncoder::upsert(stale, old.person("n-7", 7, false, true));
  hub.push("nser", stale);
  EXPECT_EQ(progress(hub)["nser"], (std::vector<std::uint64_t>{8, 7, 0}));
  EXPECT_EQ(refusal([&] { hub.rotation.switchNow(false); }), 409);
  auto redo = next.empty("nser", 4);
  EpochEncoder::upsert(redo, next.person("n-7", 7, false, true));
  hub.push("nser", redo);

  const auto switched = parse(hub.rotation.switchNow(false));
  EXPECT_EQ(switched->getObject("result")->getValue<std::uint64_t>("rescored"), 2u);  // p-6 and p-1
  EXPECT_EQ(hub.entityOf("punjab", "p-6"), before.at("n-6"));  // joined NSER's person 6
  EXPECT_EQ(hub.entityOf("punjab", "p-1"), before.at("p-1"));
  EXPECT_EQ(hub.entityOf("nser", "n-7"), before.at("n-7"));
}

TEST(LinkageRotation, DeletionsAtTheNextEpochApplyAtOnce) {
  nser::testing::TempDir dir;
  EpochEncoder old(kOldSecret, 1);
  EpochEncoder next(kNewSecret, 2);
  Hub hub(dir / "db", old.schema());
  syncAtEpochOne(hub, old);
  hub.rotation.prepare(2, "", "admin");
  auto batch = next.batch("punjab", 2, "p-", 0, 3, true);
  EpochEncoder::upsert(batch, next.person("p-9", 9, true));
  hub.push("punjab", batch);
  EXPECT_EQ(progress(hub)["punjab"], (std::vector<std::uint64_t>{4, 3, 1}));
  auto deletions = next.empty("punjab", 3);
  EpochEncoder::erase(deletions, "p-3");
  EpochEncoder::erase(deletions, "p-9");
  const auto ack = parse(hub.push("punjab", deletions));
  EXPECT_EQ(ack->getValue<int>("deleted"), 2);
  EXPECT_EQ(ack->getValue<int>("delete_unknown"), 0);
  EXPECT_EQ(hub.entityOf("punjab", "p-3"), 0u);
  EXPECT_EQ(progress(hub)["punjab"], (std::vector<std::uint64_t>{3, 3, 0}));
}

TEST(LinkageRotation, AbortForgetsTheNextEpoch) {
  nser::testing::TempDir dir;
  EpochEncoder old(kOldSecret, 1);
  EpochEncoder next(kNewSecret, 2);
  Hub hub(dir / "db", old.schema());
  syncAtEpochOne(hub, old);
  const auto before = entityIds(hub);
  EXPECT_EQ(refusal([&] { hub.rotation.abort(); }), 409);
  hub.rotation.prepare(2, "", "admin");
  hub.push("nser", next.batch("nser", 2, "n-", 0, 8, false));
  const auto aborted = parse(hub.rotation.abort());
  EXPECT_EQ(aborted->getValue<std::uint32_t>("abandoned_epoch"), 2u);
  EXPECT_EQ(aborted->getValue<std::uint64_t>("discarded_encodings"), 8u);
  EXPECT_EQ(aborted->getValue<std::string>("state"), "idle");
  EXPECT_EQ(refusal([&] { hub.push("nser", next.batch("nser", 3, "n-", 0, 8, false)); }), 422);
  hub.push("nser", old.batch("nser", 3, "n-", 8, 1, false));
  EXPECT_EQ(entityIds(hub), before);
  EXPECT_EQ(searchOne(*hub.ingest.index(), old.person("q", 2), 1), before.at("n-2"));
  // A later rotation starts from nothing staged.
  hub.rotation.prepare(2, "", "admin");
  EXPECT_EQ(progress(hub)["nser"], (std::vector<std::uint64_t>{9, 0, 0}));
}

TEST(LinkageRotation, AForcedSwitchDropsRecordsNotReEncodedAndTheyComeBackWithTheirEntity) {
  nser::testing::TempDir dir;
  EpochEncoder old(kOldSecret, 1);
  EpochEncoder next(kNewSecret, 2);
  Hub hub(dir / "db", old.schema());
  hub.push("nser", old.batch("nser", 1, "n-", 0, 8, false));
  const auto before = entityIds(hub);
  hub.rotation.prepare(2, "", "admin");
  hub.push("nser", next.batch("nser", 2, "n-", 0, 6, false));
  const auto switched = parse(hub.rotation.switchNow(true));
  EXPECT_EQ(switched->getObject("result")->getValue<std::uint64_t>("dropped"), 2u);
  EXPECT_EQ(hub.ingest.index()->recordCount(), 6u);
  EXPECT_EQ(hub.entityOf("nser", "n-7"), 0u);
  hub.push("nser", next.batch("nser", 3, "n-", 6, 2, false));
  EXPECT_EQ(entityIds(hub), before);
}

TEST(LinkageRotation, TheRotationStateSurvivesARestartAndOverridesTheConfiguredEpoch) {
  nser::testing::TempDir dir;
  EpochEncoder old(kOldSecret, 1);
  EpochEncoder next(kNewSecret, 2);
  std::map<std::string, linkage::EntityId> before;
  {
    Hub hub(dir / "db", old.schema());
    syncAtEpochOne(hub, old);
    before = entityIds(hub);
    hub.rotation.prepare(2, "", "admin");
    hub.push("nser", next.batch("nser", 2, "n-", 0, 8, false));
  }
  {
    Hub hub(dir / "db", old.schema());  // still configured with key_epoch 1
    EXPECT_EQ(hub.ingest.keyEpochs().next, 2u);
    EXPECT_EQ(progress(hub)["nser"], (std::vector<std::uint64_t>{8, 8, 0}));
    hub.push("punjab", next.batch("punjab", 2, "p-", 0, 4, true));
    hub.rotation.switchNow(false);
  }
  Hub hub(dir / "db", old.schema());
  EXPECT_EQ(hub.ingest.keyEpochs().current, 2u);
  EXPECT_FALSE(hub.ingest.keyEpochs().rotating());
  EXPECT_EQ(entityIds(hub), before);
  EXPECT_EQ(searchOne(*hub.ingest.index(), next.person("q", 2, true), 2), before.at("n-2"));
  EXPECT_EQ(refusal([&] { hub.push("nser", old.batch("nser", 3, "n-", 0, 1, false)); }), 422);
}

TEST(LinkageRotation, ABatchAppliedBeforeTheSwitchAndRetriedAfterItIsADuplicate) {
  nser::testing::TempDir dir;
  EpochEncoder old(kOldSecret, 1);
  EpochEncoder next(kNewSecret, 2);
  Hub hub(dir / "db", old.schema());
  const auto lost = old.batch("nser", 1, "n-", 0, 4, false);
  hub.push("nser", lost);
  hub.rotation.prepare(2, "", "admin");
  hub.push("nser", next.batch("nser", 2, "n-", 0, 4, false));
  hub.rotation.switchNow(false);
  const auto ack = parse(hub.push("nser", lost));
  EXPECT_EQ(ack->getValue<std::string>("status"), "duplicate");
}
