#include "linkage/blocking_config.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

namespace nser::linkage {
namespace {

BlockingConfig parse(const std::string& text) {
  return parseBlockingConfig(schemas::JsonNode::parseText(text, "blocking.json"));
}

std::string errorOf(const std::string& text) {
  try {
    parse(text);
  } catch (const schemas::DocumentError& e) {
    return e.what();
  }
  return "";
}

TEST(BlockingConfig, ParsesTheDocumentedExample) {
  auto config = parse(R"({
    "version": 1,
    "max_block_size": 300,
    "strategies": [
      {"name": "clk_lsh", "type": "hamming_lsh", "tables": 12, "bits_per_table": 28, "seed": 7},
      {"name": "cnic", "type": "tokens", "key": ["cnic_deletion"]},
      {"name": "name_year", "type": "tokens", "key": ["name_phonetic", "birth_year"],
       "max_block_size": 50, "max_keys_per_record": 8}
    ]})");
  ASSERT_EQ(config.strategies.size(), 3u);
  EXPECT_EQ(config.maxBlockSize, 300u);
  const auto& lsh = std::get<HammingLshSettings>(config.strategies[0].settings);
  EXPECT_EQ(lsh.tables, 12u);
  EXPECT_EQ(lsh.bitsPerTable, 28u);
  EXPECT_EQ(lsh.seed, 7u);
  EXPECT_TRUE(config.strategies[0].isHammingLsh());
  const auto& combined = std::get<TokenBlockSettings>(config.strategies[2].settings);
  EXPECT_EQ(combined.key, (std::vector<TokenKind>{TokenKind::NamePhonetic, TokenKind::BirthYear}));
  EXPECT_EQ(combined.maxKeysPerRecord, 8u);
  EXPECT_EQ(config.blockSizeCap(0), 300u) << "inherits the top-level cap";
  EXPECT_EQ(config.blockSizeCap(2), 50u);
  EXPECT_TRUE(config.usesClk());
  EXPECT_NO_THROW(config.validate());
}

// The example in docs/blocking.md parses, and is recommended().
TEST(BlockingConfig, DocumentedExampleIsTheRecommendedConfiguration) {
  std::ifstream in(std::string(NSER_SOURCE_DIR) + "/docs/blocking.md");
  std::stringstream text;
  text << in.rdbuf();
  const std::string doc = text.str();
  auto start = doc.find("```json\n");
  ASSERT_NE(start, std::string::npos);
  start += 8;
  auto config = parse(doc.substr(start, doc.find("```", start) - start));
  auto recommended = BlockingConfig::recommended();
  ASSERT_EQ(config.strategies.size(), recommended.strategies.size());
  EXPECT_EQ(config.maxBlockSize, recommended.maxBlockSize);
  for (std::size_t i = 0; i < config.strategies.size(); ++i) {
    EXPECT_EQ(config.strategies[i].name, recommended.strategies[i].name);
    EXPECT_EQ(config.strategies[i].isHammingLsh(), recommended.strategies[i].isHammingLsh());
    if (config.strategies[i].isHammingLsh()) {
      const auto& a = std::get<HammingLshSettings>(config.strategies[i].settings);
      const auto& b = std::get<HammingLshSettings>(recommended.strategies[i].settings);
      EXPECT_EQ(a.tables, b.tables);
      EXPECT_EQ(a.bitsPerTable, b.bitsPerTable);
      EXPECT_EQ(a.seed, b.seed);
    } else {
      EXPECT_EQ(std::get<TokenBlockSettings>(config.strategies[i].settings).key,
                std::get<TokenBlockSettings>(recommended.strategies[i].settings).key);
    }
  }
  for (std::size_t i = 0; i < config.strategies.size(); ++i) {
    EXPECT_EQ(config.blockSizeCap(i), recommended.blockSizeCap(i)) << config.strategies[i].name;
  }
}

TEST(BlockingConfig, ErrorsNameTheDocumentAndKey) {
  EXPECT_NE(errorOf(R"({"version": 1, "strategies": [{"name": "a", "type": "tokens", "key": ["nmae_phonetic"]}]})")
                .find("blocking.json: strategies[0].key[0]: unknown token kind"),
            std::string::npos);
  EXPECT_NE(errorOf(R"({"version": 1, "strategies": [{"name": "a", "type": "hamming_lsh", "tablez": 3}]})")
                .find("blocking.json: strategies[0]: unknown key 'tablez'"),
            std::string::npos);
  EXPECT_NE(errorOf(R"({"version": 1, "strategies": [{"name": "a", "type": "hamming_lsh", "bits_per_table": 65}]})")
                .find("strategies[0].bits_per_table"),
            std::string::npos);
  EXPECT_NE(errorOf(R"({"version": 2, "strategies": []})").find("blocking.json: version: unsupported"),
            std::string::npos);
  EXPECT_NE(errorOf(R"({"version": 1, "strategies": []})").find("strategies: at least one"), std::string::npos);
  EXPECT_NE(errorOf(R"({"version": 1, "strategies": [{"name": "a", "type": "tokens", "key": ["cnic"]},
                                                      {"name": "a", "type": "tokens", "key": ["phone"]}]})")
                .find("strategies[1].name: name used twice"),
            std::string::npos);
  EXPECT_NE(errorOf(R"({"version": 1, "strategies": [{"name": "a", "type": "tokens", "key": ["cnic", "cnic"]}]})")
                .find("strategies[0].key[1]: token kind listed twice"),
            std::string::npos);
  EXPECT_NE(errorOf(R"({"version": 1, "strategies": [{"name": "a", "type": "tokens", "key": []}]})")
                .find("strategies[0].key: must list 1 to 4"),
            std::string::npos);
  EXPECT_NE(errorOf(R"({"version": 1, "strategies": [{"name": "A b", "type": "tokens", "key": ["cnic"]}]})")
                .find("strategies[0].name"),
            std::string::npos);
  EXPECT_NE(errorOf(R"({"version": 1, "strategies": [{"name": "a", "type": "minhash"}]})")
                .find("strategies[0].type: unknown value"),
            std::string::npos);
}

TEST(BlockingConfig, ValidateCatchesConfigurationsBuiltInCode) {
  auto config = BlockingConfig::recommended();
  EXPECT_NO_THROW(config.validate());
  config.strategies.push_back({"cnic_deletion", HammingLshSettings{}, 0});
  EXPECT_THROW(config.validate(), BlockingConfigError) << "duplicate name";

  BlockingConfig bad;
  bad.strategies.push_back({"lsh", HammingLshSettings{4, 0, 1}, 0});
  EXPECT_THROW(bad.validate(), BlockingConfigError);
  bad.strategies[0].settings = TokenBlockSettings{{}, 64};
  EXPECT_THROW(bad.validate(), BlockingConfigError);
  bad.strategies[0].settings = TokenBlockSettings{{TokenKind::Phone}, 64};
  EXPECT_NO_THROW(bad.validate());
  EXPECT_THROW(BlockingConfig{}.validate(), BlockingConfigError) << "no strategy";
}

TEST(BlockingConfig, TokenKindNamesRoundTrip) {
  for (int k = 1; k <= 9; ++k) {
    TokenKind kind{};
    ASSERT_TRUE(parseTokenKindName(tokenKindName(static_cast<TokenKind>(k)), kind));
    EXPECT_EQ(static_cast<int>(kind), k);
  }
  TokenKind kind{};
  EXPECT_FALSE(parseTokenKindName("cnic ", kind));
}

}  // namespace
}  // namespace nser::linkage
