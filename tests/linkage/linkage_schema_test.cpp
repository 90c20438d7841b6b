#include "linkage/linkage_schema.h"

#include <gtest/gtest.h>

#include "tests/support/temp_dir.h"

namespace nser::linkage {
namespace {

const std::string kDefaultSchema = std::string(NSER_SOURCE_DIR) + "/schemas/linkage/nser-person-v1.json";

std::string errorOf(const std::string& text) {
  try {
    parseLinkageSchema(schemas::JsonNode::parseText(text, "s.json"));
  } catch (const schemas::DocumentError& e) {
    return e.what();
  }
  return "(no error)";
}

// A minimal valid NSER schema with `nser` members replaced by `extra`.
std::string schemaWith(const std::string& nserBody, const std::string& identifier = "name") {
  return R"({"version": 3,
    "clkConfig": {"l": 1024, "kdf": {"type": "HKDF", "hash": "SHA256", "keySize": 64}},
    "features": [{"identifier": ")" + identifier + R"(", "format": {"type": "string", "encoding": "utf-8"},
      "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerFeature": 100}, "hash": {"type": "blakeHash"}}}],
    "nser": {)" + nserBody + "}}";
}

TEST(LinkageSchema, LoadsTheDefaultPersonSchema) {
  LinkageSchema schema = loadLinkageSchema(kDefaultSchema);
  ASSERT_TRUE(schema.nser.has_value());
  EXPECT_EQ(schema.schemaId, "nser-person-v1");
  EXPECT_EQ(schema.nser->idColumn, "rec_id");
  EXPECT_EQ(schema.nser->featureFields.size(), schema.clk.features.size());
  EXPECT_EQ(schema.nser->featureFields[0], PersonField::Name);
  EXPECT_EQ(schema.nser->fieldFilterBits, 512u);
  EXPECT_FALSE(schema.nser->tokens.empty());
  EXPECT_EQ(schema.digest.size(), 64u);
}

TEST(LinkageSchema, PlainClkhashSchemasStayPlain) {
  LinkageSchema schema = loadLinkageSchema(std::string(NSER_SHARED_DIR) + "/testvectors/clkhash/novt_schema.json");
  EXPECT_FALSE(schema.nser.has_value());
  EXPECT_EQ(schema.schemaId, "clkhash-v3");
}

TEST(LinkageSchema, DigestChangesWithTheDocumentButNotWithLayout) {
  const std::string body = R"("schemaId": "x", "idColumn": "id", "columns": {"name": "n"})";
  auto a = parseLinkageSchema(schemas::JsonNode::parseText(schemaWith(body), "a"));
  auto b = parseLinkageSchema(schemas::JsonNode::parseText("\n\n  " + schemaWith(body) + "\n", "b"));
  auto c = parseLinkageSchema(
      schemas::JsonNode::parseText(schemaWith(R"("schemaId": "y", "idColumn": "id", "columns": {"name": "n"})"), "c"));
  EXPECT_EQ(a.digest, b.digest);
  EXPECT_NE(a.digest, c.digest);
}

TEST(LinkageSchema, ErrorsNameTheKeyPath) {
  EXPECT_EQ(errorOf(schemaWith(R"("schemaId": "x", "idColumn": "id", "columns": {"name": "n"})", "surname")),
            "s.json: features[0].identifier: \"surname\" is not a normalised person field (expected one of: name, "
            "name_joined, titles, name_phonetic, relation_type, relation_name, relation_phonetic, cnic, gender, "
            "birth_date, birth_year, birth_month, birth_day, district, tehsil, phone)");
  EXPECT_NE(errorOf(schemaWith(R"("schemaId": "x", "idColumn": "id", "columns": {"name": "n", "shoe": "s"})"))
                .find("s.json: nser.columns: unknown identity role 'shoe'"),
            std::string::npos);
  EXPECT_EQ(errorOf(schemaWith(R"("schemaId": "x", "idColumn": "id", "columns": {"cnic": "c"})")),
            "s.json: nser.columns: missing required key 'name'");
  EXPECT_NE(errorOf(schemaWith(R"("schemaId": "x", "idColumn": "id", "columns": {"name": "n"}, "tokens": ["dna"])"))
                .find("s.json: nser.tokens[0]: unknown token family \"dna\""),
            std::string::npos);
  EXPECT_EQ(errorOf(schemaWith(R"("schemaId": "x", "idColumn": "id", "columns": {"name": "n"}, "fieldFilterBits": 100)")),
            "s.json: nser.fieldFilterBits: must be a multiple of 64");
  EXPECT_NE(errorOf(schemaWith(R"("schemaId": "x", "idColumn": "id", "columns": {"name": "n"}, "hardening": {"blip": 1})"))
                .find("s.json: nser.hardening: unknown key 'blip'"),
            std::string::npos);
  EXPECT_NE(errorOf(schemaWith(R"("schemaId": "x", "idColumn": "id", "columns": {"name": "n"}, "fieldFilterFeatures": ["dob"])"))
                .find("s.json: nser.fieldFilterFeatures[0]: \"dob\" is not a hashed feature"),
            std::string::npos);
}

}  // namespace
}  // namespace nser::linkage

namespace nser::linkage {
namespace {

TEST(LinkageSchema, TheGenericExampleMapsItsOwnColumnNames) {
  LinkageSchema schema = loadLinkageSchema(std::string(NSER_SOURCE_DIR) + "/schemas/linkage/generic-programme-example.json");
  ASSERT_TRUE(schema.nser.has_value());
  EXPECT_EQ(schema.nser->columns.at("name"), "full_name");
  EXPECT_EQ(schema.nser->idColumn, "beneficiary_id");
}

}  // namespace
}  // namespace nser::linkage
