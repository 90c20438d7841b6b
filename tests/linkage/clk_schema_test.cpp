#include "linkage/clk_schema.h"

#include <gtest/gtest.h>

namespace nser::linkage {
namespace {

const std::string kVectors = std::string(NSER_SHARED_DIR) + "/testvectors/clkhash/";

ClkSchema parse(const std::string& text) { return parseClkSchema(schemas::JsonNode::parseText(text, "s.json")); }

// A valid one-feature schema with `feature` spliced in.
std::string withFeature(const std::string& feature, const std::string& clkConfig = R"("l": 1024, "kdf": {"type": "HKDF"})") {
  return R"({"version": 3, "clkConfig": {)" + clkConfig + R"(}, "features": [)" + feature + "]}";
}

const std::string kNameFeature =
    R"({"identifier": "name", "format": {"type": "string"}, "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerToken": 20}}})";

std::string errorOf(const std::string& text) {
  try {
    parse(text);
  } catch (const schemas::DocumentError& error) {
    return error.what();
  }
  return "no error";
}

TEST(ClkSchema, LoadsThePublishedSchema) {
  const ClkSchema schema = loadClkSchema(kVectors + "novt_schema.json");
  EXPECT_EQ(schema.clk.l, 1024U);
  EXPECT_EQ(schema.clk.xorFolds, 0);
  EXPECT_EQ(schema.clk.kdf.hash, HkdfHash::Sha256);
  EXPECT_EQ(schema.clk.kdf.keySize, 64U);
  EXPECT_EQ(schema.clk.kdf.salt.size(), 64U);
  EXPECT_EQ(std::string(schema.clk.kdf.info.begin(), schema.clk.kdf.info.end()), "schema_example");
  ASSERT_EQ(schema.features.size(), 5U);
  EXPECT_TRUE(schema.features[0].ignored);
  const ClkFeature& givenname = schema.features[1];
  EXPECT_EQ(givenname.identifier, "givenname");
  EXPECT_EQ(givenname.format.string.letterCase, LetterCase::Lower);
  EXPECT_EQ(givenname.format.string.maxLength, 30U);
  EXPECT_EQ(givenname.hashing.comparison.n, 2);
  EXPECT_EQ(givenname.hashing.strategy.type, StrategyType::BitsPerFeature);
  EXPECT_EQ(givenname.hashing.strategy.value, 100);
  EXPECT_EQ(givenname.hashing.hash.type, HashType::Blake);
  ASSERT_TRUE(givenname.hashing.missingValue.has_value());
  EXPECT_EQ(givenname.hashing.missingValue->sentinel, ".");
  EXPECT_EQ(givenname.hashing.missingValue->replaceWith, "");
}

TEST(ClkSchema, DefaultsFollowClkhash) {
  const ClkSchema schema = parse(withFeature(
      R"({"identifier": "n", "format": {"type": "string"}, "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerToken": 20}, "hash": {"type": "doubleHash"}, "missingValue": {"sentinel": "?"}}})"));
  const ClkFeature& f = schema.features[0];
  EXPECT_EQ(f.format.string.encoding, TextEncoding::Utf8);
  EXPECT_FALSE(f.hashing.comparison.positional);
  EXPECT_FALSE(f.hashing.hash.preventSingularity);
  EXPECT_EQ(f.hashing.missingValue->replaceWith, "?");  // replaceWith defaults to the sentinel
  EXPECT_EQ(schema.clk.kdf.keySize, 64U);
  EXPECT_TRUE(schema.clk.kdf.salt.empty());
}

TEST(ClkSchema, ErrorsNameTheFileAndKeyPath) {
  EXPECT_EQ(errorOf(withFeature(
                R"({"identifier": "n", "format": {"type": "string"}, "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerTokn": 20}}})")),
            "s.json: features[0].hashing.strategy: unknown key 'bitsPerTokn' (known: bitsPerToken, bitsPerFeature)");
  EXPECT_NE(errorOf(withFeature(kNameFeature, R"("l": 1000, "kdf": {"type": "HKDF"})")).find("s.json: clkConfig.l:"),
            std::string::npos);
  EXPECT_NE(errorOf(R"({"version": 2, "clkConfig": {}, "features": []})").find("s.json: version:"), std::string::npos);
}

TEST(ClkSchema, RefusesTheCamelCaseFractionalPrecisionThatClkhashIgnores) {
  const std::string error = errorOf(withFeature(
      R"({"identifier": "x", "format": {"type": "string"}, "hashing": {"comparison": {"type": "numeric", "thresholdDistance": 1, "resolution": 2, "fractionalPrecision": 2}, "strategy": {"bitsPerToken": 5}}})"));
  EXPECT_NE(error.find("features[0].hashing.comparison.fractionalPrecision"), std::string::npos) << error;
  EXPECT_NE(error.find("fractional_precision"), std::string::npos) << error;
}

TEST(ClkSchema, RefusesCombinationsClkhashRefuses) {
  // blakeHash needs l * 2^xorFolds to be a power of two.
  EXPECT_NE(errorOf(withFeature(kNameFeature, R"("l": 1536, "kdf": {"type": "HKDF"})")).find("power of two"),
            std::string::npos);
  // ... but doubleHash does not.
  EXPECT_NO_THROW(parse(withFeature(
      R"({"identifier": "n", "format": {"type": "string"}, "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerToken": 20}, "hash": {"type": "doubleHash"}}})",
      R"("l": 1536, "kdf": {"type": "HKDF"})")));
  // prevent_singularity only with doubleHash.
  EXPECT_NE(errorOf(withFeature(
                R"({"identifier": "n", "format": {"type": "string"}, "hashing": {"comparison": {"type": "ngram", "n": 2}, "strategy": {"bitsPerToken": 20}, "hash": {"type": "blakeHash", "prevent_singularity": true}}})"))
                .find("prevent_singularity"),
            std::string::npos);
  // A pattern excludes case/length (textPatternFormat).
  EXPECT_NE(errorOf(withFeature(
                R"({"identifier": "n", "format": {"type": "string", "pattern": "a+", "case": "lower"}, "hashing": {"comparison": {"type": "exact"}, "strategy": {"bitsPerToken": 20}}})"))
                .find("case"),
            std::string::npos);
  // Bad regular expression and unsupported date directive are schema errors.
  EXPECT_NE(errorOf(withFeature(
                R"({"identifier": "n", "format": {"type": "string", "pattern": "("}, "hashing": {"comparison": {"type": "exact"}, "strategy": {"bitsPerToken": 20}}})"))
                .find("features[0].format"),
            std::string::npos);
  EXPECT_NE(errorOf(withFeature(
                R"({"identifier": "d", "format": {"type": "date", "format": "%U"}, "hashing": {"comparison": {"type": "exact"}, "strategy": {"bitsPerToken": 20}}})"))
                .find("%U"),
            std::string::npos);
  // Exactly one strategy.
  EXPECT_NE(errorOf(withFeature(
                R"({"identifier": "n", "format": {"type": "string"}, "hashing": {"comparison": {"type": "exact"}, "strategy": {"bitsPerToken": 2, "bitsPerFeature": 3}}})"))
                .find("exactly one"),
            std::string::npos);
  // blake keys are at most 64 bytes.
  EXPECT_NE(errorOf(withFeature(kNameFeature, R"("l": 1024, "kdf": {"type": "HKDF", "keySize": 65})")).find("64 bytes"),
            std::string::npos);
}

TEST(ClkSchema, IgnoredFeaturesStillCountForKeys) {
  const ClkSchema schema = parse(R"({"version": 3, "clkConfig": {"l": 64, "kdf": {"type": "HKDF"}},
      "features": [{"identifier": "a", "ignored": true}, )" + kNameFeature + "]}");
  ASSERT_EQ(schema.features.size(), 2U);
  EXPECT_TRUE(schema.features[0].ignored);
  EXPECT_FALSE(schema.features[1].ignored);
}

}  // namespace
}  // namespace nser::linkage
