#include "hub/registry_search.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

using namespace nser;
using namespace nser::hub;

namespace {

const std::string kSchemaDir = std::string(NSER_SOURCE_DIR) + "/schemas/linkage/";

Poco::JSON::Object::Ptr parse(const std::string& json) {
  Poco::JSON::Parser parser;
  return parser.parse(json).extract<Poco::JSON::Object::Ptr>();
}

// One search_request by entity id with the given extra criteria members.
std::string envelope(const std::string& criteriaExtra) {
  return R"({"signature":"","header":{"version":"1.0.0","message_id":"m-1","message_ts":"2026-11-27T00:00:00Z",)"
         R"("action":"search","sender_id":"punjab","receiver_id":"nser-hub","total_count":1},)"
         R"("message":{"transaction_id":"t-1","search_request":[{"reference_id":"r-1","timestamp":"2026-11-27T00:00:00Z",)"
         R"("search_criteria":{"query_type":"idtype-value","query":{"type":"NSER_ENTITY_ID","value":"1"})" +
         criteriaExtra + R"(}}]}})";
}

struct SearchHub {
  explicit SearchHub(const std::filesystem::path& directory)
      : store(directory.string()),
        parties(store),
        ingest(store, EncodingBinding{"nser-person-v1", "digest", 1, ""},
               linkage::loadLinkSettings(kSchemaDir + "nser-person-v1.link.json"),
               linkage::FellegiSunterModel::loadFile(kSchemaDir + "nser-person-v1.model.json"), {}),
        search(ingest, parties, EncodingBinding{"nser-person-v1", "digest", 1, ""}, SearchOptions{}, nullptr) {
    caller.id = "punjab";
    caller.role = Role::Custodian;
  }
  HubStore store;
  PartyRegistry parties;
  IngestService ingest;
  RegistrySearch search;
  Party caller;
};

}  // namespace

TEST(RegistrySearch, BrokeredRequestsAreValidatedPerRequest) {
  nser::testing::TempDir dir;
  SearchHub hub(dir / "db");
  struct Case {
    std::string criteria;
    std::string expectedInMessage;
  };
  const std::vector<Case> cases = {
      {R"(,"programme":"bisp-kafaalat","attributes":["district"])", "purpose is required"},
      {R"(,"programme":"bisp-kafaalat","purpose":"","attributes":["district"])", "purpose is required"},
      {R"(,"purpose":"eligibility","attributes":["district"])", "programme is required"},
      {R"(,"programme":"bisp-kafaalat","purpose":"eligibility","attributes":"district")", "must be an array"},
      {R"(,"programme":"bisp-kafaalat","purpose":"eligibility","attributes":[])", "1-64 attributes"},
      {R"(,"programme":"bisp-kafaalat","purpose":"eligibility","attributes":["district",""])", "attributes[1]"},
      {R"(,"programme":"bisp-kafaalat","purpose":"eligibility","attributes":["district",7])", "attributes[1]"},
      // Well formed, but this hub has no broker.
      {R"(,"programme":"bisp-kafaalat","purpose":"eligibility","attributes":["district"])", "does not broker"},
  };
  for (const Case& c : cases) {
    const SearchAnswer answer = hub.search.search(hub.caller, envelope(c.criteria));
    const auto response = parse(answer.body)->getObject("message")->getArray("search_response")->getObject(0);
    EXPECT_EQ(response->getValue<std::string>("status"), "rjct") << c.criteria;
    EXPECT_EQ(response->getValue<std::string>("status_reason_code"), "rjct.attributes.invalid") << c.criteria;
    const std::string message = response->getValue<std::string>("status_reason_message");
    EXPECT_NE(message.find(c.expectedInMessage), std::string::npos) << c.criteria << " -> " << message;
    EXPECT_NE(message.find("$.message.search_request[0]"), std::string::npos) << message;
  }
  // Without "attributes" the same request is a plain search (no entity yet: no records).
  const SearchAnswer plain = hub.search.search(hub.caller, envelope(R"(,"purpose":"eligibility")"));
  EXPECT_EQ(plain.status, 200);
  const auto response = parse(plain.body)->getObject("message")->getArray("search_response")->getObject(0);
  EXPECT_EQ(response->getValue<std::string>("status"), "succ") << plain.body;
}
