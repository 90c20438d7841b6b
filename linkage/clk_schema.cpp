#include "linkage/clk_schema.h"

#include <sodium.h>

#include <limits>
#include <stdexcept>

#include "linkage/clk_feature_format.h"
#include "linkage/clk_tokenizer.h"

namespace nser::linkage {

namespace {

using schemas::JsonNode;

constexpr std::int64_t kIntMax = std::numeric_limits<std::int64_t>::max();
constexpr std::int64_t kIntMin = std::numeric_limits<std::int64_t>::min();

std::vector<std::uint8_t> decodeBase64(const JsonNode& node) {
  const std::string text = node.asString();
  std::vector<std::uint8_t> bytes(text.size() / 4 * 3 + 3);
  std::size_t length = 0;
  if (sodium_base642bin(bytes.data(), bytes.size(), text.data(), text.size(), nullptr, &length, nullptr,
                        sodium_base64_VARIANT_ORIGINAL) != 0) {
    node.fail("expected standard base64 (with padding)");
  }
  bytes.resize(length);
  return bytes;
}

ClkKdfConfig parseKdf(const JsonNode& node) {
  node.rejectUnknownKeys({"type", "hash", "salt", "info", "keySize"});
  node.field("type").asEnum({"HKDF"});
  ClkKdfConfig kdf;
  if (auto hash = node.optionalField("hash")) {
    kdf.hash = hash->asEnum({"SHA256", "SHA512"}) == "SHA256" ? HkdfHash::Sha256 : HkdfHash::Sha512;
  }
  if (auto salt = node.optionalField("salt")) kdf.salt = decodeBase64(*salt);
  if (auto info = node.optionalField("info")) kdf.info = decodeBase64(*info);
  kdf.keySize = static_cast<std::size_t>(node.intOr("keySize", 64, 1, 1024));
  return kdf;
}

ClkConfig parseClkConfig(const JsonNode& node) {
  node.rejectUnknownKeys({"l", "kdf", "xorFolds"});
  ClkConfig config;
  const JsonNode l = node.field("l");
  config.l = static_cast<std::size_t>(l.asInt(64, std::int64_t{1} << 31));
  if (config.l % 64 != 0) l.fail("must be a multiple of 64 (NSER filters are whole 64-bit words), got " + std::to_string(config.l));
  config.xorFolds = static_cast<int>(node.intOr("xorFolds", 0, 0, 16));
  if (config.hashBits() > (std::size_t{1} << 32)) {
    node.fail("l * 2^xorFolds must be at most 2^32 bits");
  }
  config.kdf = parseKdf(node.field("kdf"));
  return config;
}

TextEncoding parseEncoding(const JsonNode& node) {
  const std::string name = node.asEnum({"ascii", "utf-8", "utf-16", "utf-32"});
  if (name == "ascii") return TextEncoding::Ascii;
  if (name == "utf-16") return TextEncoding::Utf16;
  if (name == "utf-32") return TextEncoding::Utf32;
  return TextEncoding::Utf8;
}

FeatureFormat parseFormat(const JsonNode& node) {
  FeatureFormat format;
  const std::string type = node.field("type").asEnum({"string", "integer", "date", "enum"});
  if (type == "string") {
    format.type = FormatType::String;
    if (node.has("pattern")) {
      // clkhash's textPatternFormat: a pattern excludes case and length limits.
      node.rejectUnknownKeys({"type", "encoding", "pattern", "description"});
      format.string.pattern = node.field("pattern").asString();
    } else {
      node.rejectUnknownKeys({"type", "encoding", "case", "minLength", "maxLength", "description"});
      if (auto letterCase = node.optionalField("case")) {
        const std::string value = letterCase->asEnum({"upper", "lower", "mixed"});
        format.string.letterCase =
            value == "upper" ? LetterCase::Upper : value == "lower" ? LetterCase::Lower : LetterCase::Mixed;
      }
      if (auto minLength = node.optionalField("minLength")) {
        format.string.minLength = static_cast<std::size_t>(minLength->asInt(0, kIntMax));
      }
      if (auto maxLength = node.optionalField("maxLength")) {
        format.string.maxLength = static_cast<std::size_t>(maxLength->asInt(1, kIntMax));
      }
    }
    if (auto encoding = node.optionalField("encoding")) format.string.encoding = parseEncoding(*encoding);
  } else if (type == "integer") {
    node.rejectUnknownKeys({"type", "minimum", "maximum", "description"});
    format.type = FormatType::Integer;
    if (auto minimum = node.optionalField("minimum")) format.integer.minimum = minimum->asInt(kIntMin, kIntMax);
    if (auto maximum = node.optionalField("maximum")) format.integer.maximum = maximum->asInt(kIntMin, kIntMax);
  } else if (type == "date") {
    node.rejectUnknownKeys({"type", "format", "description"});
    format.type = FormatType::Date;
    format.date.format = node.field("format").asString();
  } else {
    node.rejectUnknownKeys({"type", "values", "description"});
    format.type = FormatType::Enum;
    for (const JsonNode& value : node.field("values").asArray()) format.enumeration.values.push_back(value.asString());
  }
  return format;
}

Comparison parseComparison(const JsonNode& node) {
  Comparison comparison;
  const std::string type = node.field("type").asEnum({"ngram", "exact", "numeric"});
  if (type == "ngram") {
    node.rejectUnknownKeys({"type", "n", "positional"});
    comparison.type = ComparisonType::Ngram;
    comparison.n = static_cast<int>(node.field("n").asInt(1, 64));
    comparison.positional = node.boolOr("positional", false);
  } else if (type == "exact") {
    node.rejectUnknownKeys({"type"});
    comparison.type = ComparisonType::Exact;
  } else {
    if (node.has("fractionalPrecision")) {
      node.field("fractionalPrecision")
          .fail("clkhash's schema spells this key 'fractional_precision' and silently ignores 'fractionalPrecision'; "
                "rename it (or remove it for precision 0)");
    }
    node.rejectUnknownKeys({"type", "thresholdDistance", "resolution", "fractional_precision"});
    comparison.type = ComparisonType::Numeric;
    const JsonNode threshold = node.field("thresholdDistance");
    comparison.thresholdDistance = threshold.asNumber(std::numeric_limits<double>::min(), 1e15);
    comparison.resolution = static_cast<int>(node.field("resolution").asInt(1, 1000));
    comparison.fractionalPrecision = static_cast<int>(node.intOr("fractional_precision", 0, 0, 18));
  }
  return comparison;
}

Strategy parseStrategy(const JsonNode& node) {
  node.rejectUnknownKeys({"bitsPerToken", "bitsPerFeature"});
  const bool perToken = node.has("bitsPerToken");
  const bool perFeature = node.has("bitsPerFeature");
  if (perToken == perFeature) node.fail("expected exactly one of 'bitsPerToken' and 'bitsPerFeature'");
  Strategy strategy;
  strategy.type = perToken ? StrategyType::BitsPerToken : StrategyType::BitsPerFeature;
  strategy.value = static_cast<int>(node.field(perToken ? "bitsPerToken" : "bitsPerFeature").asInt(1, 1 << 20));
  return strategy;
}

HashConfig parseHash(const JsonNode& node) {
  HashConfig hash;
  const std::string type = node.field("type").asEnum({"blakeHash", "doubleHash"});
  if (type == "blakeHash") {
    // clkhash refuses prevent_singularity with blakeHash.
    node.rejectUnknownKeys({"type"});
    hash.type = HashType::Blake;
  } else {
    node.rejectUnknownKeys({"type", "prevent_singularity"});
    hash.type = HashType::Double;
    hash.preventSingularity = node.boolOr("prevent_singularity", false);
  }
  return hash;
}

FeatureHashing parseHashing(const JsonNode& node) {
  node.rejectUnknownKeys({"comparison", "strategy", "hash", "missingValue"});
  FeatureHashing hashing;
  hashing.comparison = parseComparison(node.field("comparison"));
  hashing.strategy = parseStrategy(node.field("strategy"));
  if (auto hash = node.optionalField("hash")) hashing.hash = parseHash(*hash);
  if (auto missing = node.optionalField("missingValue")) {
    missing->rejectUnknownKeys({"sentinel", "replaceWith"});
    MissingValue value;
    value.sentinel = missing->field("sentinel").asString();
    value.replaceWith = missing->stringOr("replaceWith", value.sentinel);
    hashing.missingValue = value;
  }
  return hashing;
}

ClkFeature parseFeature(const JsonNode& node, const ClkConfig& config) {
  ClkFeature feature;
  feature.identifier = node.field("identifier").asString();
  feature.ignored = node.boolOr("ignored", false);
  node.rejectUnknownKeys({"identifier", "ignored", "description", "format", "hashing"});
  if (feature.ignored) return feature;  // clkhash ignores any format/hashing of an ignored feature
  const JsonNode formatNode = node.field("format");
  const JsonNode hashingNode = node.field("hashing");
  feature.format = parseFormat(formatNode);
  feature.hashing = parseHashing(hashingNode);

  // Checks that need several keys at once, reported at the most specific key.
  if (feature.hashing.hash.type == HashType::Blake) {
    // Report at "hash" when present, else at "hashing" (blakeHash is the default).
    const JsonNode hashNode = hashingNode.has("hash") ? hashingNode.field("hash") : hashingNode;
    const std::size_t bits = config.hashBits();
    if ((bits & (bits - 1)) != 0) {
      hashNode.fail("blakeHash needs l * 2^xorFolds to be a power of two, got " +
                                     std::to_string(bits));
    }
    if (config.kdf.keySize > crypto_generichash_blake2b_KEYBYTES_MAX) {
      hashNode.fail("blakeHash keys are at most 64 bytes; clkConfig.kdf.keySize is " +
                                     std::to_string(config.kdf.keySize));
    }
  }
  const TextEncoding encoding =
      feature.format.type == FormatType::String ? feature.format.string.encoding : TextEncoding::Utf8;
  if (feature.hashing.missingValue && encoding == TextEncoding::Ascii) {
    for (char c : feature.hashing.missingValue->replaceWith) {
      if (static_cast<unsigned char>(c) >= 0x80) {
        hashingNode.field("missingValue").field("replaceWith").fail("is not encodable as ascii");
      }
    }
  }
  try {
    ClkFeatureFormatter checkFormat(feature);
  } catch (const std::invalid_argument& error) {
    formatNode.fail(error.what());
  }
  try {
    ClkTokenizer checkTokenizer(feature.hashing.comparison, encoding);
  } catch (const std::invalid_argument& error) {
    hashingNode.field("comparison").fail(error.what());
  }
  return feature;
}

}  // namespace

ClkSchema parseClkSchema(const JsonNode& root) {
  root.rejectUnknownKeys({"version", "clkConfig", "features"});
  const JsonNode version = root.field("version");
  if (version.asInt() != 3) {
    version.fail("only clkhash linkage schema version 3 is supported (clkhash converts v1/v2 schemas to v3)");
  }
  ClkSchema schema;
  schema.source = root.source();
  schema.clk = parseClkConfig(root.field("clkConfig"));
  const JsonNode featuresNode = root.field("features");
  for (const JsonNode& featureNode : featuresNode.asArray()) {
    schema.features.push_back(parseFeature(featureNode, schema.clk));
  }
  if (schema.features.empty()) featuresNode.fail("must list at least one feature");
  const std::size_t hashLength = schema.clk.kdf.hash == HkdfHash::Sha256 ? 32 : 64;
  const std::size_t keyBytes = schema.features.size() * 2 * schema.clk.kdf.keySize;
  if (keyBytes > 255 * hashLength) {
    root.field("clkConfig").field("kdf").fail(
        "HKDF cannot derive 2 keys of keySize bytes for each of the " + std::to_string(schema.features.size()) +
        " features (" + std::to_string(keyBytes) + " bytes; the limit is " + std::to_string(255 * hashLength) + ")");
  }
  return schema;
}

ClkSchema loadClkSchema(const std::string& path) { return parseClkSchema(schemas::JsonNode::parseFile(path)); }

}  // namespace nser::linkage
