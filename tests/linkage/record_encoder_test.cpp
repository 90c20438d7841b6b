#include "linkage/record_encoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <fstream>

#include "linkage/clk_json.h"

namespace nser::linkage {
namespace {

const std::string kDefaultSchema = std::string(NSER_SOURCE_DIR) + "/schemas/linkage/nser-person-v1.json";
const std::vector<std::string> kHeader = {"rec_id", "cnic",     "name",     "relation_type", "relation_name", "gender",
                                          "dob",    "district", "tehsil",   "province",      "address",       "phone"};

LinkageSecret secretOf(const std::string& text, std::uint32_t epoch = 1) {
  return LinkageSecret::fromBytes({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, epoch);
}

double dice(const FilterWords& a, const FilterWords& b) {
  std::size_t inter = 0, pa = 0, pb = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    inter += static_cast<std::size_t>(std::popcount(a[i] & b[i]));
    pa += static_cast<std::size_t>(std::popcount(a[i]));
    pb += static_cast<std::size_t>(std::popcount(b[i]));
  }
  return pa + pb == 0 ? 0 : 2.0 * static_cast<double>(inter) / static_cast<double>(pa + pb);
}

struct Fixture {
  explicit Fixture(const std::string& secretText = "record encoder test secret 32b!", LinkageSchema schema = loadLinkageSchema(kDefaultSchema))
      : secret(secretOf(secretText)), encoder(std::move(schema), secret, {2026, 11, 26}), workspace(encoder.makeWorkspace()),
        binding(encoder.bind(kHeader)) {}
  EncodedRecord encode(const std::vector<std::string>& row) {
    EncodedRecord record;
    EncodeOutcome outcome = encoder.encodeRow(row, binding, 2, workspace, record);
    EXPECT_TRUE(outcome.ok) << outcome.reason;
    return record;
  }
  LinkageSecret secret;
  RecordEncoder encoder;
  EncoderWorkspace workspace;
  ColumnBinding binding;
};

const std::vector<std::string> kQasim = {"a-1", "35202-1234567-1", "Syed Muhammad Qasim", "s/o", "Ghulam Rasool", "M",
                                         "1985-03-12", "Lahore", "Lahore City", "Punjab", "House 1", "0300-1234567"};
const std::vector<std::string> kKasim = {"b-9", "3520212345671", "Mohd Kasim", "S/O", "Gulam Rasul", "male",
                                         "12/03/1985", "LAHORE", "Lahore City", "Punjab", "H 1", "+92 300 1234567"};
const std::vector<std::string> kZainab = {"c-3", "42101-7654321-2", "Zainab Bibi", "w/o", "Imran Khan", "F",
                                          "1990", "Karachi South", "Saddar", "Sindh", "Flat 2", ""};

TEST(RecordEncoder, HeaderDescribesSchemaKeyAndShape) {
  Fixture f;
  const EncodingHeader& header = f.encoder.header();
  EXPECT_EQ(header.schemaId, "nser-person-v1");
  EXPECT_EQ(header.keyFingerprint, f.secret.fingerprint());
  EXPECT_EQ(header.clkBits, 1024u);
  EXPECT_EQ(header.fieldNames, (std::vector<std::string>{"name", "relation_name", "district", "phone"}));
  EXPECT_EQ(header.fieldBits, std::vector<std::uint32_t>(4, 512));
  EXPECT_EQ(header.hardening, "balance+xor1+blip:0.02");
}

TEST(RecordEncoder, VariantsOfOnePersonAreCloseAndOtherPeopleFar) {
  Fixture f;
  EncodedRecord qasim = f.encode(kQasim), kasim = f.encode(kKasim), zainab = f.encode(kZainab);
  EXPECT_EQ(qasim.id, "a-1");
  EXPECT_GT(dice(qasim.clk, kasim.clk), 0.9);
  EXPECT_LT(dice(qasim.clk, zainab.clk), 0.6);
  ASSERT_EQ(qasim.fieldFilters.size(), 4u);
  EXPECT_DOUBLE_EQ(dice(qasim.fieldFilters[0], kasim.fieldFilters[0]), 1.0) << "canonical names agree";
  auto sharesToken = [](const EncodedRecord& a, const EncodedRecord& b, TokenKind kind) {
    for (const auto& t : a.tokens) {
      if (t.kind == kind && std::find(b.tokens.begin(), b.tokens.end(), t) != b.tokens.end()) return true;
    }
    return false;
  };
  EXPECT_TRUE(sharesToken(qasim, kasim, TokenKind::Cnic));
  EXPECT_TRUE(sharesToken(qasim, kasim, TokenKind::NamePhoneticDistrict));
  EXPECT_TRUE(sharesToken(qasim, kasim, TokenKind::BirthDate));
  EXPECT_TRUE(sharesToken(qasim, kasim, TokenKind::Phone));
  EXPECT_FALSE(sharesToken(qasim, zainab, TokenKind::Cnic));
  EXPECT_TRUE(zainab.flags & kFlagBirthDatePartial);
  EXPECT_TRUE(zainab.fieldFilters[3] == FilterWords(8, 0)) << "a missing phone sets no bits, even hardened";
}

TEST(RecordEncoder, DeterministicForOneSecretUnrelatedForAnother) {
  Fixture a, again, other("a completely different secret!!!");
  EncodedRecord r1 = a.encode(kQasim), r2 = again.encode(kQasim), r3 = other.encode(kQasim);
  EXPECT_EQ(r1.clk, r2.clk);
  EXPECT_EQ(r1.fieldFilters, r2.fieldFilters);
  EXPECT_EQ(r1.tokens, r2.tokens);
  EXPECT_LT(dice(r1.clk, r3.clk), 0.6) << "about the Dice of two random filters of this density";
  for (const auto& t : r1.tokens) EXPECT_EQ(std::find(r3.tokens.begin(), r3.tokens.end(), t), r3.tokens.end());
}

TEST(RecordEncoder, UnencodableRowsGiveAReasonWithoutTheValue) {
  Fixture f;
  EncodedRecord record;
  auto noName = kQasim;
  noName[2] = "?? --";
  EncodeOutcome outcome = f.encoder.encodeRow(noName, f.binding, 7, f.workspace, record);
  EXPECT_FALSE(outcome.ok);
  EXPECT_NE(outcome.reason.find("name"), std::string::npos) << outcome.reason;
  EXPECT_EQ(outcome.reason.find("??"), std::string::npos);
  auto shortRow = kQasim;
  shortRow.pop_back();
  outcome = f.encoder.encodeRow(shortRow, f.binding, 8, f.workspace, record);
  EXPECT_FALSE(outcome.ok);
  EXPECT_NE(outcome.reason.find("expected 12 columns, found 11"), std::string::npos);
  auto noId = kQasim;
  noId[0] = "";
  EXPECT_FALSE(f.encoder.encodeRow(noId, f.binding, 9, f.workspace, record).ok);
}

TEST(RecordEncoder, BindNamesEveryMissingColumn) {
  Fixture f;
  try {
    f.encoder.bind({"rec_id", "name", "gender"});
    FAIL();
  } catch (const EncoderSetupError& e) {
    std::string message = e.what();
    for (const char* column : {"cnic", "relation_type", "dob", "district", "phone"}) {
      EXPECT_NE(message.find(column), std::string::npos) << message;
    }
  }
}

TEST(RecordEncoder, HardeningChangesShapeAndKeepsVariantsClose) {
  LinkageSchema schema = loadLinkageSchema(kDefaultSchema);
  schema.nser->hardening.balance = true;
  schema.nser->hardening.xorFolds = 1;
  schema.nser->recordSalt = PersonField::BirthYear;
  Fixture f("record encoder test secret 32b!", schema);
  EXPECT_EQ(f.encoder.header().clkBits, 1024u) << "balanced to 2048 then folded once";
  EXPECT_EQ(f.encoder.header().hardening, "salt:birth_year+balance+xor1+blip:0.02");
  EncodedRecord qasim = f.encode(kQasim), kasim = f.encode(kKasim), zainab = f.encode(kZainab);
  EXPECT_GT(dice(qasim.clk, kasim.clk), 0.85);
  EXPECT_LT(dice(qasim.clk, zainab.clk), 0.7);
}

TEST(RecordEncoder, PlainClkhashSchemaReproducesPublishedClks) {
  const std::string dir = std::string(NSER_SHARED_DIR) + "/testvectors/clkhash/";
  auto secret = secretOf("secret");
  RecordEncoder encoder(loadLinkageSchema(dir + "novt_schema.json"), secret);
  auto workspace = encoder.makeWorkspace();
  std::ifstream in(dir + "ncvr_numrec_5000_modrec_2_ocp_20_myp_0_nump_10.csv");
  CsvReader reader(in);
  std::vector<std::string> row;
  ASSERT_EQ(reader.next(row), CsvStatus::Record);
  ColumnBinding binding = encoder.bind(row);
  std::vector<BloomFilter> expected = readClkJson(dir + "anonlink-client_novt_clk_0.json");
  for (std::size_t i = 0; i < 200; ++i) {
    ASSERT_EQ(reader.next(row), CsvStatus::Record);
    EncodedRecord record;
    ASSERT_TRUE(encoder.encodeRow(row, binding, i + 2, workspace, record).ok);
    EXPECT_EQ(record.id, row[0]) << "the ignored id feature names the record";
    ASSERT_EQ(BloomFilter::fromWords(record.clk), expected[i]) << "row " << i;
  }
}

TEST(RecordEncoder, QueriesEncodeLikeRows) {
  Fixture f;
  EncodedRecord fromRow = f.encode(kQasim);
  EncodedRecord fromQuery;
  PersonIdentity identity{.name = kQasim[2], .relationType = kQasim[3], .relationName = kQasim[4], .cnic = kQasim[1],
                          .gender = kQasim[5], .birthDate = kQasim[6], .district = kQasim[7], .tehsil = kQasim[8],
                          .phone = kQasim[11]};
  ASSERT_TRUE(f.encoder.encodeIdentity("q-1", identity, f.workspace, fromQuery).ok);
  EXPECT_EQ(fromQuery.clk, fromRow.clk);
  EXPECT_EQ(fromQuery.tokens, fromRow.tokens);
}

}  // namespace
}  // namespace nser::linkage

namespace nser::linkage {
namespace {

// The one-pass encoding (CLK and OR-folded field filters from the same
// hashing) must equal clkhash's CLK and a separate encoding at the field length.
TEST(RecordEncoder, OnePassEqualsSeparateEncodings) {
  LinkageSchema schema = loadLinkageSchema(kDefaultSchema);
  schema.nser->hardening = {};
  const std::string secretText = "record encoder test secret 32b!";
  LinkageSecret secret = secretOf(secretText);
  RecordEncoder encoder(schema, secret, {2026, 11, 26});
  auto workspace = encoder.makeWorkspace();
  ColumnBinding binding = encoder.bind(kHeader);

  ClkEncoder clk(schema.clk, secret);
  ClkSchema fieldSchema = schema.clk;
  fieldSchema.clk.l = schema.nser->fieldFilterBits;
  ClkEncoder field(fieldSchema, secret);
  auto clkWorkspace = clk.makeWorkspace();
  auto fieldWorkspace = field.makeWorkspace();
  PersonNormaliser normaliser({2026, 11, 26});

  for (const auto* row : {&kQasim, &kKasim, &kZainab}) {
    EncodedRecord record;
    ASSERT_TRUE(encoder.encodeRow(*row, binding, 2, workspace, record).ok);
    NormalisedPerson person = normaliser.normalise({(*row)[2], (*row)[3], (*row)[4], (*row)[1], (*row)[5], (*row)[6],
                                                    (*row)[7], (*row)[8], (*row)[11]});
    std::vector<std::string_view> values;
    for (PersonField f : schema.nser->featureFields) values.push_back(person[f]);
    BloomFilter expectedClk;
    ASSERT_TRUE(clk.encode(values, clkWorkspace, expectedClk).ok);
    EXPECT_EQ(BloomFilter::fromWords(record.clk), expectedClk);
    const auto& names = encoder.header().fieldNames;
    for (std::size_t i = 0; i < names.size(); ++i) {
      std::size_t feature = 0;
      while (schema.clk.features[feature].identifier != names[i]) ++feature;
      BloomFilter expectedField(field.hashBits());
      ASSERT_TRUE(field.encodeFeature(feature, values[feature], fieldWorkspace, expectedField).ok);
      EXPECT_EQ(BloomFilter::fromWords(record.fieldFilters[i]), expectedField) << names[i];
    }
  }
}

}  // namespace
}  // namespace nser::linkage

namespace nser::linkage {
namespace {

// The per-thread memos (value_memo.h) must not change a single bit: encode
// rows whose values repeat, vary and collide, with and without them.
TEST(RecordEncoder, MemoisedEncodingEqualsUnmemoised) {
  for (bool salted : {false, true}) {
    LinkageSchema schema = loadLinkageSchema(kDefaultSchema);
    if (salted) schema.nser->recordSalt = PersonField::BirthYear;
    LinkageSecret secret = secretOf("record encoder test secret 32b!");
    RecordEncoder encoder(schema, secret, {2026, 11, 26});
    ColumnBinding binding = encoder.bind(kHeader);
    auto memoised = encoder.makeWorkspace();
    auto plain = encoder.makeWorkspace(false);
    const std::vector<std::string> districts = {"Lahore", "Karachi South", "Quetta", "Swat"};
    const std::vector<std::string> names = {"Muhammad Qasim", "Zainab Bibi", "Ali Raza", "Fatima", "Imran Khan"};
    for (std::size_t i = 0; i < 3000; ++i) {
      std::vector<std::string> row = i % 3 == 0 ? kQasim : i % 3 == 1 ? kKasim : kZainab;
      row[0] = "r-" + std::to_string(i);
      row[2] = names[i % names.size()] + (i % 7 == 0 ? " " + std::to_string(i % 13) : "");
      row[6] = std::to_string(1950 + i % 40);
      if (i % 2 == 0) row[6] += "-0" + std::to_string(1 + i % 9) + "-1" + std::to_string(i % 10);
      row[7] = districts[(i / 5) % districts.size()];
      row[11] = i % 4 == 0 ? "" : "0300-12345" + std::to_string(10 + i % 60);
      EncodedRecord a;
      EncodedRecord b;
      const EncodeOutcome outcomeA = encoder.encodeRow(row, binding, i + 2, memoised, a);
      const EncodeOutcome outcomeB = encoder.encodeRow(row, binding, i + 2, plain, b);
      ASSERT_EQ(outcomeA.ok, outcomeB.ok) << "row " << i;
      ASSERT_EQ(a.clk, b.clk) << "row " << i << (salted ? " (salted)" : "");
      ASSERT_EQ(a.fieldFilters, b.fieldFilters) << "row " << i << (salted ? " (salted)" : "");
      ASSERT_EQ(a.tokens, b.tokens) << "row " << i;
      ASSERT_EQ(a.flags, b.flags) << "row " << i;
    }
    EXPECT_GT(memoised.memoHits(), 3000u) << "the memos were exercised";
    EXPECT_EQ(plain.memoLookups(), 0u);
  }
}

}  // namespace
}  // namespace nser::linkage
