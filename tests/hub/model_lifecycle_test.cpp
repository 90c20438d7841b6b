#include "hub/model_lifecycle.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "service/http_error.h"
#include "tests/hub/test_encodings.h"
#include "tests/support/temp_dir.h"

using namespace nser;
using namespace nser::hub;

namespace {

const std::string kSchemaDir = std::string(NSER_SOURCE_DIR) + "/schemas/linkage/";

struct Hub {
  Hub(const std::filesystem::path& directory, const linkage::LinkageSchema& schema)
      : store(directory.string()),
        ingest(store, EncodingBinding{schema.schemaId, schema.digest, 1, ""},
               linkage::loadLinkSettings(kSchemaDir + "nser-person-v1.link.json"),
               linkage::FellegiSunterModel::loadFile(kSchemaDir + "nser-person-v1.model.json"), IngestOptions{}),
        models(ingest) {}
  HubStore store;
  IngestService ingest;
  ModelLifecycle models;
};

void push(Hub& hub, nser::testing::TestEncoder& encoder, const std::string& custodian, std::uint32_t number,
          int count, bool variant) {
  const auto batch = encoder.batch(custodian, 1, custodian + "-", 0, count, variant);
  Party party;
  party.id = custodian;
  party.role = Role::Custodian;
  party.custodianNumber = number;
  hub.ingest.ingest(party, protocol::serialiseIngestBatch(batch));
}

Poco::JSON::Object::Ptr parse(const std::string& json) {
  Poco::JSON::Parser parser;
  return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

}  // namespace

TEST(ModelLifecycle, NeedsRecordsOfTwoCustodiansAndACandidateToSwitchTo) {
  nser::testing::TempDir dir;
  nser::testing::TestEncoder encoder;
  Hub hub(dir / "db", encoder.schema());
  auto status = [](const std::function<void()>& action) {
    try {
      action();
    } catch (const service::HttpError& e) {
      return e.status();
    }
    return 0;
  };
  EXPECT_EQ(status([&] { hub.models.retrain(); }), 409);
  push(hub, encoder, "nser", 1, 50, false);
  EXPECT_EQ(status([&] { hub.models.retrain(); }), 409);
  EXPECT_EQ(status([&] { hub.models.switchToCandidate(); }), 409);
}

TEST(ModelLifecycle, RetrainReportsTheEffectAndSwitchKeepsEntityIdsStable) {
  nser::testing::TempDir dir;
  nser::testing::TestEncoder encoder;
  std::vector<linkage::EntityId> before;
  {
    Hub hub(dir / "db", encoder.schema());
    push(hub, encoder, "nser", 1, 400, false);
    push(hub, encoder, "punjab", 2, 200, true);
    const EntityIndex& index = *hub.ingest.index();
    for (int n = 0; n < 400; n += 20) before.push_back(index.search(encoder.person("q", n), 1, 0.5).front().entity);

    const auto retrained = parse(hub.models.retrain());
    const auto comparison = retrained->getObject("comparison");
    EXPECT_EQ(comparison->getValue<int>("records"), 600);
    EXPECT_EQ(comparison->getValue<int>("entities_before"), 400);
    EXPECT_TRUE(retrained->getObject("candidate")->has("lambda"));
    // The dry run changed nothing.
    EXPECT_EQ(index.entityCount(), 400u);
    EXPECT_TRUE(parse(hub.models.describe())->has("candidate"));

    const auto switched = parse(hub.models.switchToCandidate());
    EXPECT_EQ(switched->getObject("result")->getValue<int>("records"), 600);
    EXPECT_FALSE(parse(hub.models.describe())->has("candidate"));
    std::size_t k = 0;
    for (int n = 0; n < 400; n += 20, ++k) {
      EXPECT_EQ(index.search(encoder.person("q", n), 1, 0.5).front().entity, before[k]) << "person " << n;
    }
  }
  // After a restart the adopted model is the one in use, and ids still hold.
  Hub hub(dir / "db", encoder.schema());
  std::size_t k = 0;
  for (int n = 0; n < 400; n += 20, ++k) {
    EXPECT_EQ(hub.ingest.index()->search(encoder.person("q", n), 1, 0.5).front().entity, before[k]);
  }
  EXPECT_NE(hub.ingest.index()->model().parameters().lambda,
            linkage::FellegiSunterModel::loadFile(kSchemaDir + "nser-person-v1.model.json").parameters().lambda);
}
