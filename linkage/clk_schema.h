// ClkSchema: a clkhash linkage schema, version 3, as plain structs.
//
// The format is Data61 clkhash's "linkage schema v3" (clkhash/schemas/v3.json,
// docs/schema.rst); docs/clkhash-compatibility.md says what is supported and
// every ambiguity resolved. loadClkSchema/parseClkSchema validate as they
// read: a bad schema throws schemas::DocumentError ("<file>: <key path>:
// <what is wrong>"), e.g. "s.json: features[2].hashing.strategy: ...".
// Unknown keys are rejected (stricter than clkhash, which tolerates some
// extras), so typos fail loudly.
//
// Immutable after loading; safe to share between threads.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "schemas/json_document.h"

namespace nser::linkage {

enum class HkdfHash { Sha256, Sha512 };

struct ClkKdfConfig {
  HkdfHash hash = HkdfHash::Sha256;
  std::vector<std::uint8_t> salt;  // decoded from base64; empty = absent
  std::vector<std::uint8_t> info;  // decoded from base64; empty = absent
  std::size_t keySize = 64;        // bytes per derived key (clkhash DEFAULT_KEY_SIZE)
};

struct ClkConfig {
  std::size_t l = 0;  // CLK length in bits, after XOR folding
  int xorFolds = 0;
  ClkKdfConfig kdf;
  // Length of the filter the tokens are hashed into: l * 2^xorFolds.
  std::size_t hashBits() const { return l << xorFolds; }
};

// Python codec used to turn tokens into bytes ("encoding" of a string format).
enum class TextEncoding { Utf8, Ascii, Utf16, Utf32 };

enum class LetterCase { Mixed, Lower, Upper };

struct StringFormat {
  TextEncoding encoding = TextEncoding::Utf8;
  // Either a pattern (a Python-style regular expression the whole value must
  // match) or case/length limits, never both (clkhash's textPatternFormat vs
  // textFormat).
  std::optional<std::string> pattern;
  LetterCase letterCase = LetterCase::Mixed;
  std::optional<std::size_t> minLength;  // in Unicode code points
  std::optional<std::size_t> maxLength;
};

struct IntegerFormat {
  std::optional<std::int64_t> minimum;
  std::optional<std::int64_t> maximum;
};

struct DateFormat {
  std::string format;  // a Python strptime format, e.g. "%Y-%m-%d"
};

struct EnumFormat {
  std::vector<std::string> values;
};

enum class FormatType { String, Integer, Date, Enum };

struct FeatureFormat {
  FormatType type = FormatType::String;
  StringFormat string;    // when type == String
  IntegerFormat integer;  // when type == Integer
  DateFormat date;        // when type == Date
  EnumFormat enumeration; // when type == Enum
};

enum class ComparisonType { Ngram, Exact, Numeric };

struct Comparison {
  ComparisonType type = ComparisonType::Ngram;
  int n = 2;                   // ngram
  bool positional = false;     // ngram
  double thresholdDistance = 0;  // numeric
  int resolution = 0;            // numeric
  int fractionalPrecision = 0;   // numeric (schema key "fractional_precision")
};

enum class StrategyType { BitsPerToken, BitsPerFeature };

struct Strategy {
  StrategyType type = StrategyType::BitsPerToken;
  int value = 0;  // bitsPerToken or bitsPerFeature
};

enum class HashType { Blake, Double };

struct HashConfig {
  HashType type = HashType::Blake;
  bool preventSingularity = false;  // doubleHash only
};

struct MissingValue {
  std::string sentinel;
  std::string replaceWith;  // defaults to the sentinel itself (clkhash)
};

struct FeatureHashing {
  Comparison comparison;
  Strategy strategy;
  HashConfig hash;
  std::optional<MissingValue> missingValue;
};

struct ClkFeature {
  std::string identifier;
  bool ignored = false;
  FeatureFormat format;    // unused when ignored
  FeatureHashing hashing;  // unused when ignored
};

struct ClkSchema {
  std::string source;  // file name (or source label) the schema came from
  ClkConfig clk;
  // In column order. Ignored features still count: clkhash derives one key
  // pair per feature, ignored or not.
  std::vector<ClkFeature> features;
};

// Reads and validates a schema file. Throws schemas::DocumentError.
ClkSchema loadClkSchema(const std::string& path);
// Validates an already parsed document (its source names the errors).
ClkSchema parseClkSchema(const schemas::JsonNode& root);

}  // namespace nser::linkage
