#include "linkage/comparison_vector.h"

#include <gtest/gtest.h>

#include <Poco/JSON/Array.h>

#include <sstream>
#include <string>
#include <vector>

namespace nser::linkage {
namespace {

// A token whose digest is the byte `value` repeated: enough to tell values apart.
KeyedToken tokenOf(TokenKind kind, std::uint8_t value) {
  KeyedToken token;
  token.kind = kind;
  token.digest.fill(value);
  return token;
}

// A 128-bit filter with the given bit positions set.
FilterWords filterWithBits(const std::vector<int>& bits) {
  FilterWords words(2, 0);
  for (int bit : bits) words[static_cast<std::size_t>(bit) / 64] |= std::uint64_t{1} << (bit % 64);
  return words;
}

std::vector<int> range(int from, int to) {
  std::vector<int> out;
  for (int i = from; i < to; ++i) out.push_back(i);
  return out;
}

ComparisonDefinition nameDice() {
  ComparisonDefinition d;
  d.name = "name";
  d.method = ComparisonMethod::FieldDice;
  d.field = "given_name";
  d.levels = {{"exact", 0.95, {}, false}, {"close", 0.8, {}, false}, {"weak", 0.6, {}, false}, {"disagree", 0, {}, false}};
  return d;
}

ComparisonDefinition cnicTokens() {
  ComparisonDefinition d;
  d.name = "cnic";
  d.method = ComparisonMethod::TokenAgreement;
  d.levels = {{"exact", 0, {TokenKind::Cnic}, false},
              {"one_digit", 0, {TokenKind::CnicDeletion}, false},
              {"disagree", 0, {}, false}};
  return d;
}

ComparisonSettings boundSettings() {
  ComparisonSettings settings({nameDice(), cnicTokens()});
  const std::vector<std::string> fields{"family_name", "given_name"};
  settings.bindFields(fields);
  return settings;
}

EncodedRecord recordWithName(const std::vector<int>& bits) {
  EncodedRecord r;
  r.id = "r";
  r.fieldFilters = {filterWithBits({1, 2, 3}), filterWithBits(bits)};
  return r;
}

TEST(FilterDice, ExactValues) {
  EXPECT_DOUBLE_EQ(filterDice(filterWithBits(range(0, 20)), filterWithBits(range(0, 20))), 1.0);
  EXPECT_DOUBLE_EQ(filterDice(filterWithBits(range(0, 20)), filterWithBits(range(3, 23))), 2.0 * 17 / 40);
  EXPECT_DOUBLE_EQ(filterDice(filterWithBits(range(0, 10)), filterWithBits(range(60, 80))), 0.0);
  EXPECT_DOUBLE_EQ(filterDice(filterWithBits({}), filterWithBits({})), 0.0);
}

TEST(ComparisonVector, DiceBandsGiveLevelsInOrder) {
  const auto settings = boundSettings();
  const auto a = recordWithName(range(0, 20));
  // Dice = 2 * common / 40 with 20 bits on each side.
  EXPECT_EQ(settings.compareOne(0, a, recordWithName(range(0, 20))), 1);   // 1.00 exact
  EXPECT_EQ(settings.compareOne(0, a, recordWithName(range(1, 21))), 1);   // 0.95 exact (bound inclusive)
  EXPECT_EQ(settings.compareOne(0, a, recordWithName(range(2, 22))), 2);   // 0.90 close
  EXPECT_EQ(settings.compareOne(0, a, recordWithName(range(4, 24))), 2);   // 0.80 close (inclusive)
  EXPECT_EQ(settings.compareOne(0, a, recordWithName(range(5, 25))), 3);   // 0.75 weak
  EXPECT_EQ(settings.compareOne(0, a, recordWithName(range(8, 28))), 3);   // 0.60 weak (inclusive)
  EXPECT_EQ(settings.compareOne(0, a, recordWithName(range(9, 29))), 4);   // 0.55 disagree
  EXPECT_EQ(settings.compareOne(0, a, recordWithName(range(60, 80))), 4);  // 0.00 disagree
  EXPECT_EQ(settings.comparisons()[0].levelLabel(3), "weak");
  EXPECT_EQ(settings.comparisons()[0].levelLabel(kNullLevel), "null");
}

TEST(ComparisonVector, MissingFieldValueIsTheNullLevel) {
  const auto settings = boundSettings();
  const auto a = recordWithName(range(0, 20));
  EXPECT_EQ(settings.compareOne(0, a, recordWithName({})), kNullLevel) << "empty filter = missing value";
  EXPECT_EQ(settings.compareOne(0, recordWithName({}), a), kNullLevel);
  EncodedRecord noFilters;
  EXPECT_EQ(settings.compareOne(0, a, noFilters), kNullLevel) << "no field filters at all";
  EncodedRecord otherLength = a;
  otherLength.fieldFilters[1].push_back(0);
  EXPECT_EQ(settings.compareOne(0, a, otherLength), kNullLevel) << "filters of different encodings";
}

TEST(ComparisonVector, UnboundFieldComparisonGivesNullAndBindingChecksTheField) {
  ComparisonSettings settings({nameDice()});
  const auto a = recordWithName(range(0, 20));
  EXPECT_FALSE(settings.bound());
  EXPECT_EQ(settings.compareOne(0, a, a), kNullLevel);
  const std::vector<std::string> fields{"family_name", "dob"};
  try {
    settings.bindFields(fields);
    FAIL() << "expected ComparisonSettingsError";
  } catch (const ComparisonSettingsError& error) {
    EXPECT_NE(std::string(error.what()).find("'name'"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("given_name"), std::string::npos) << error.what();
  }
}

TEST(ComparisonVector, TokenAgreementLevels) {
  const auto settings = boundSettings();
  EncodedRecord a, sameCnic, typo, other, noCnic, onlyNames;
  a.tokens = {tokenOf(TokenKind::Cnic, 1), tokenOf(TokenKind::CnicDeletion, 10), tokenOf(TokenKind::CnicDeletion, 11)};
  sameCnic.tokens = a.tokens;
  typo.tokens = {tokenOf(TokenKind::Cnic, 2), tokenOf(TokenKind::CnicDeletion, 12), tokenOf(TokenKind::CnicDeletion, 11)};
  other.tokens = {tokenOf(TokenKind::Cnic, 3), tokenOf(TokenKind::CnicDeletion, 13)};
  onlyNames.tokens = {tokenOf(TokenKind::NamePhonetic, 1)};
  EXPECT_EQ(settings.compareOne(1, a, sameCnic), 1) << "first level that holds wins";
  EXPECT_EQ(settings.compareOne(1, a, typo), 2);
  EXPECT_EQ(settings.compareOne(1, a, other), 3);
  EXPECT_EQ(settings.compareOne(1, a, noCnic), kNullLevel);
  EXPECT_EQ(settings.compareOne(1, onlyNames, a), kNullLevel) << "no token of the comparison's kinds";
  // Same digest bytes under another kind is not agreement.
  EncodedRecord crossKind;
  crossKind.tokens = {tokenOf(TokenKind::CnicDeletion, 1), tokenOf(TokenKind::Cnic, 10)};
  EXPECT_EQ(settings.compareOne(1, a, crossKind), 3);
}

TEST(ComparisonVector, CompareFillsTheWholeVector) {
  const auto settings = boundSettings();
  auto a = recordWithName(range(0, 20));
  auto b = recordWithName(range(2, 22));
  a.tokens = {tokenOf(TokenKind::Cnic, 1)};
  b.tokens = {tokenOf(TokenKind::Cnic, 1)};
  std::uint8_t levels[2] = {99, 99};
  settings.compare(a, b, levels);
  EXPECT_EQ(levels[0], 2);
  EXPECT_EQ(levels[1], 1);

  ComparisonVectorSet set(settings.size());
  set.appendPair(settings, a, b);
  set.appendPair(settings, a, recordWithName({}));
  ASSERT_EQ(set.size(), 2u);
  EXPECT_EQ(set[0][0], 2);
  EXPECT_EQ(set[0][1], 1);
  EXPECT_EQ(set[1][0], kNullLevel);
  EXPECT_EQ(set[1][1], kNullLevel);
  const std::uint8_t raw[2] = {4, 3};
  set.append(raw);
  EXPECT_EQ(set.size(), 3u);
  EXPECT_EQ(set[2][1], 3);
}

TEST(ComparisonVector, ForEachSharedTokenVisitsOnlySharedTokensOfTheKinds) {
  EncodedRecord a, b;
  a.tokens = {tokenOf(TokenKind::NamePhonetic, 1), tokenOf(TokenKind::NamePhonetic, 2), tokenOf(TokenKind::BirthYear, 3)};
  b.tokens = {tokenOf(TokenKind::NamePhonetic, 2), tokenOf(TokenKind::BirthYear, 3), tokenOf(TokenKind::NamePhonetic, 9)};
  std::vector<std::uint8_t> seen;
  const TokenKind kinds[] = {TokenKind::NamePhonetic};
  forEachSharedToken(a, b, kinds, [&](const KeyedToken& t) { seen.push_back(t.digest[0]); });
  EXPECT_EQ(seen, std::vector<std::uint8_t>{2});
}

TEST(ComparisonSettings, ValidationNamesTheComparison) {
  auto bad = nameDice();
  bad.levels[1].minDice = 0.97;  // not below "exact"
  EXPECT_THROW(ComparisonSettings({bad}), ComparisonSettingsError);
  auto oneLevel = nameDice();
  oneLevel.levels.resize(1);
  EXPECT_THROW(ComparisonSettings({oneLevel}), ComparisonSettingsError);
  auto noKinds = cnicTokens();
  noKinds.levels[0].tokenKinds.clear();
  EXPECT_THROW(ComparisonSettings({noKinds}), ComparisonSettingsError);
  auto nullLabel = cnicTokens();
  nullLabel.levels[2].label = "null";
  EXPECT_THROW(ComparisonSettings({nullLabel}), ComparisonSettingsError);
  EXPECT_THROW(ComparisonSettings({cnicTokens(), cnicTokens()}), ComparisonSettingsError) << "duplicate name";
  try {
    ComparisonSettings({bad});
  } catch (const ComparisonSettingsError& error) {
    EXPECT_NE(std::string(error.what()).find("comparison 'name'"), std::string::npos) << error.what();
  }
}

constexpr const char* kSettingsJson = R"([
  {"name": "name", "type": "field_dice", "field": "given_name",
   "levels": [{"label": "exact", "min_dice": 0.95}, {"label": "close", "min_dice": 0.8},
              {"label": "disagree"}]},
  {"name": "cnic", "type": "token_agreement",
   "levels": [{"label": "exact", "token_kinds": ["cnic"]},
              {"label": "one_digit", "token_kinds": ["cnic_deletion"]},
              {"label": "disagree"}]},
  {"name": "phonetic", "type": "token_agreement",
   "levels": [{"label": "agree", "token_kinds": ["name_phonetic", "relation_phonetic"], "term_frequency": true},
              {"label": "disagree"}]}
])";

TEST(ComparisonSettings, ReadsAndWritesJson) {
  auto settings = ComparisonSettings::fromJson(schemas::JsonNode::parseText(kSettingsJson, "settings.json"));
  ASSERT_EQ(settings.size(), 3u);
  EXPECT_EQ(settings.levelCounts(), (std::vector<std::size_t>{4, 4, 3}));
  const auto& phonetic = settings.comparisons()[2];
  EXPECT_EQ(phonetic.method, ComparisonMethod::TokenAgreement);
  EXPECT_EQ(phonetic.levels[0].tokenKinds, (std::vector<TokenKind>{TokenKind::NamePhonetic, TokenKind::RelationPhonetic}));
  EXPECT_TRUE(phonetic.levels[0].termFrequency);
  EXPECT_DOUBLE_EQ(settings.comparisons()[0].levels[1].minDice, 0.8);

  std::ostringstream text;
  settings.toJson()->stringify(text);
  auto again = ComparisonSettings::fromJson(schemas::JsonNode::parseText(text.str(), "again.json"));
  std::ostringstream textAgain;
  again.toJson()->stringify(textAgain);
  EXPECT_EQ(text.str(), textAgain.str());
  EXPECT_EQ(again.comparisons()[1].levels[1].tokenKinds, std::vector<TokenKind>{TokenKind::CnicDeletion});
}

std::string jsonError(const std::string& text, std::span<const std::string_view> extra = {}) {
  try {
    ComparisonSettings::fromJson(schemas::JsonNode::parseText(text, "s.json"), extra);
  } catch (const schemas::DocumentError& error) {
    return error.what();
  }
  return "no error";
}

TEST(ComparisonSettings, JsonErrorsNameTheKeyPath) {
  EXPECT_NE(jsonError(R"([{"name":"c","type":"token_agreement","levels":[{"label":"a","token_kinds":["cnicc"]},{"label":"d"}]}])")
                .find("s.json: [0].levels[0].token_kinds[0]: unknown token kind"),
            std::string::npos);
  EXPECT_NE(jsonError(R"([{"name":"c","type":"field_dice","field":"f","levels":[{"label":"a","min_dice":0.7},{"label":"b","min_dice":0.9},{"label":"d"}]}])")
                .find("[0]: comparison 'c': level 'b': min_dice must be below"),
            std::string::npos);
  EXPECT_NE(jsonError(R"([{"name":"c","type":"field_dice","field":"f","levels":[{"label":"a","min_dice":0.7,"m":0.5},{"label":"d"}]}])")
                .find("[0].levels[0]: unknown key 'm'"),
            std::string::npos);
  const std::string_view extra[] = {"m", "u"};
  EXPECT_EQ(jsonError(R"([{"name":"c","type":"field_dice","field":"f","levels":[{"label":"a","min_dice":0.7,"m":0.5},{"label":"d"}]}])", extra),
            "no error");
  EXPECT_NE(jsonError(R"([{"name":"c","type":"field_dice","field":"f","levels":[{"label":"a","min_dice":0.7},{"label":"d","min_dice":0.2}]}])")
                .find("[0].levels[1].min_dice: the last level is the else level"),
            std::string::npos);
  EXPECT_NE(jsonError(R"([{"name":"c","type":"dice","levels":[]}])").find("[0].type: unknown value"), std::string::npos);
  EXPECT_NE(jsonError("[]").find("needs at least one comparison"), std::string::npos);
}

}  // namespace
}  // namespace nser::linkage
