// AttributeReader against a real, private PostgreSQL server (PostgresServer):
// one row by its key, exactly the asked catalogue attributes, NULLs and Urdu
// text, a query source, a missing key, a changed row read fresh, and errors.
#include "connectors/attribute_reader.h"

#include <gtest/gtest.h>

#include <stdexcept>

#include "connectors/source_reader.h"
#include "tests/support/postgres_server.h"

namespace nser::connectors {
namespace {

using nser::testing::PostgresServer;

class AttributeReaderPostgresTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new PostgresServer();
    server_->execute(
        "CREATE TABLE beneficiaries (beneficiary_id text PRIMARY KEY, full_name text NOT NULL, income_pkr integer,"
        " district_name text, disability text);"
        "INSERT INTO beneficiaries VALUES"
        " ('b-1', 'Person One', 12000, 'لاہور', 'none'),"
        " ('b-2', 'Person Two', NULL, 'Multan', 'visual'),"
        " ('b-3', 'Person Three', 5000, 'Okara', NULL);");
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static SourceConfig tableSource() {
    SourceConfig source;
    source.type = "postgresql";
    source.connection = server_->conninfo();
    source.table = "beneficiaries";
    return source;
  }
  static SourceMapping mapping() {
    SourceMapping m;
    m.keyColumn = "beneficiary_id";
    m.attributes = {{"household_income", "income_pkr", "integer", "", "high"},
                    {"district", "district_name", "string", "", "low"},
                    {"disability_status", "disability", "string", "", "high"}};
    return m;
  }

  static PostgresServer* server_;
};

PostgresServer* AttributeReaderPostgresTest::server_ = nullptr;

TEST_F(AttributeReaderPostgresTest, ReadsExactlyTheAskedAttributesOfOneRowOrNothing) {
  AttributeReader reader(tableSource(), mapping());
  const auto one = reader.read("b-1", {"district", "household_income"});
  ASSERT_TRUE(one);
  EXPECT_EQ(*one, (std::map<std::string, std::string>{{"district", "لاہور"}, {"household_income", "12000"}}));
  const auto two = reader.read("b-2", {"disability_status"});
  ASSERT_TRUE(two);
  EXPECT_EQ(*two, (std::map<std::string, std::string>{{"disability_status", "visual"}}));
  // A SQL NULL is an empty value.
  EXPECT_EQ(reader.read("b-2", {"household_income"})->at("household_income"), "");
  EXPECT_EQ(reader.read("b-3", {"disability_status"})->at("disability_status"), "");

  // Missing keys are empty; attributes outside the catalogue throw.
  EXPECT_FALSE(reader.read("b-404", {"district"}));
  // A key that looks like SQL is only a value.
  EXPECT_FALSE(reader.read("b-1' OR '1'='1", {"district"}));
  EXPECT_THROW(reader.read("b-1", {"full_name"}), std::invalid_argument);
  EXPECT_THROW(reader.read("b-1", {"district", "bank_account"}), std::invalid_argument);
}

TEST_F(AttributeReaderPostgresTest, EachReadSeesTheCurrentRow) {
  server_->execute("INSERT INTO beneficiaries VALUES ('b-9', 'Person Nine', 100, 'Sukkur', 'none');");
  AttributeReader reader(tableSource(), mapping());
  EXPECT_EQ(reader.read("b-9", {"household_income"})->at("household_income"), "100");
  server_->execute("UPDATE beneficiaries SET income_pkr = 250 WHERE beneficiary_id = 'b-9';");
  EXPECT_EQ(reader.read("b-9", {"household_income"})->at("household_income"), "250");
  server_->execute("DELETE FROM beneficiaries WHERE beneficiary_id = 'b-9';");
  EXPECT_FALSE(reader.read("b-9", {"household_income"}));
}

TEST_F(AttributeReaderPostgresTest, QuerySourcesAndSourceErrors) {
  SourceConfig query = tableSource();
  query.table.clear();
  query.query = "SELECT beneficiary_id, district_name, upper(disability) AS disability FROM beneficiaries";
  SourceMapping m = mapping();
  AttributeReader reader(query, m);
  EXPECT_EQ(*reader.read("b-2", {"district", "disability_status"}),
            (std::map<std::string, std::string>{{"district", "Multan"}, {"disability_status", "VISUAL"}}));
  // The query has no income column: a source problem, not a missing record.
  EXPECT_THROW(reader.read("b-2", {"household_income"}), SourceError);

  SourceConfig missingTable = tableSource();
  missingTable.table = "no_such_table";
  EXPECT_THROW(AttributeReader(missingTable, mapping()).read("b-1", {"district"}), SourceError);
}

}  // namespace
}  // namespace nser::connectors
