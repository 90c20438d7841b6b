// Comparison vectors: the declarative comparison settings of a
// Fellegi-Sunter model ("the model as data", as in Splink) and the function
// that turns a pair of EncodedRecords into one level per comparison.
//
// A comparison is one of
//   - field_dice: the Dice coefficient of one field-level Bloom filter, cut
//     into bands ("exact" >= 0.95, "close" >= 0.80, ...);
//   - token_agreement: whether the records share a keyed token of the given
//     kinds ("cnic" exact, then "cnic_deletion" for a one-digit typo, ...).
// Levels are tried in declared order and the first that holds wins; the last
// declared level is the "else" level (no condition, usually "disagree").
// Level index 0 is reserved for the implicit null level (a missing value):
//   - field_dice: either filter is absent, of a different length, or empty
//     (no bit set: the value was missing when encoding);
//   - token_agreement: either record has no token of any kind the comparison
//     mentions.
// Declared level i (0-based) has index i + 1, so a comparison with n declared
// levels has levelCount() == n + 1 indices.
//
// The JSON form (the "comparisons" array of the model document) is specified
// in schemas/linkage-model.md. Invalid settings throw ComparisonSettingsError
// (or schemas::DocumentError naming the key path when read from JSON).
//
// compare() allocates nothing and never throws: it runs on every candidate
// pair. ComparisonSettings is immutable once bound and safe to share between
// threads.
#pragma once

#include <Poco/JSON/Array.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "linkage/encoded_record.h"
#include "linkage/keyed_token.h"
#include "schemas/json_document.h"

namespace nser::linkage {

class ComparisonSettingsError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Level index of the null (missing value) level of every comparison.
inline constexpr std::uint8_t kNullLevel = 0;
// At most this many declared levels per comparison (indices fit a byte).
inline constexpr std::size_t kMaxDeclaredLevels = 254;

enum class ComparisonMethod { FieldDice, TokenAgreement };

struct ComparisonLevel {
  std::string label;
  // field_dice: the level holds when Dice >= minDice (unused for the else level).
  double minDice = 0.0;
  // token_agreement: the level holds when the records share a token of any of
  // these kinds (empty for the else level).
  std::vector<TokenKind> tokenKinds;
  // token_agreement: whether the term-frequency adjustment applies to this
  // level (fellegi_sunter.h); only meaningful for a level with token kinds.
  bool termFrequency = false;
};

struct ComparisonDefinition {
  std::string name;
  ComparisonMethod method = ComparisonMethod::FieldDice;
  std::string field;  // field_dice: the feature name in EncodingHeader::fieldNames
  std::vector<ComparisonLevel> levels;  // declared levels; the last is the else level

  // Declared levels plus the null level.
  std::size_t levelCount() const { return levels.size() + 1; }
  // Label of a level index ("null" for index 0).
  const std::string& levelLabel(std::uint8_t level) const;
};

class ComparisonSettings {
 public:
  ComparisonSettings() = default;
  // Validates the definitions (names unique and non-empty, at least two
  // declared levels, Dice bands strictly decreasing in (0, 1], token levels
  // naming kinds, the last level unconditional); throws
  // ComparisonSettingsError naming the comparison otherwise.
  explicit ComparisonSettings(std::vector<ComparisonDefinition> comparisons);

  // Reads a "comparisons" array (schemas/linkage-model.md). Level objects may
  // also carry the keys in `extraLevelKeys`, which the caller reads itself
  // (the model document's "m" and "u"); any other key is rejected.
  static ComparisonSettings fromJson(const schemas::JsonNode& comparisons,
                                     std::span<const std::string_view> extraLevelKeys = {});
  // The "comparisons" array; level objects in declared order (the null level
  // is implicit and not written).
  Poco::JSON::Array::Ptr toJson() const;

  // Resolves field_dice comparisons against the encoding's field names.
  // Throws ComparisonSettingsError naming the comparison and field when the
  // encoding has no such field. Until bound, field_dice comparisons give the
  // null level.
  void bindFields(std::span<const std::string> fieldNames);
  bool bound() const { return bound_; }

  const std::vector<ComparisonDefinition>& comparisons() const { return comparisons_; }
  std::size_t size() const { return comparisons_.size(); }
  // levelCount() of each comparison, in order.
  std::vector<std::size_t> levelCounts() const;

  // Writes one level index per comparison into `levels` (size() entries).
  // Allocation-free; never throws (a short `levels` span is a programming
  // error, checked only by an assertion).
  void compare(const EncodedRecord& a, const EncodedRecord& b, std::span<std::uint8_t> levels) const;
  // The level of one comparison.
  std::uint8_t compareOne(std::size_t comparison, const EncodedRecord& a, const EncodedRecord& b) const;

 private:
  std::vector<ComparisonDefinition> comparisons_;
  std::vector<std::size_t> fieldIndex_;  // per comparison; npos when unbound or not field_dice
  // token_agreement: per comparison, per token kind, the first declared level
  // (1-based index) naming that kind, 0 when none does. The first level that
  // holds is the smallest such index over the tokens the records share, so
  // one pass over the tokens finds it.
  std::vector<std::array<std::uint8_t, 256>> kindLevel_;
  bool bound_ = false;
};

// Dice coefficient of two filters of equal length, 2|A∩B| / (|A|+|B|);
// 0 when both are empty. Exact (std::popcount), allocation-free.
double filterDice(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b);

// Calls fn(const KeyedToken&) for every token of `a` of one of `kinds` that
// `b` also carries (once per occurrence in `a`).
template <class Fn>
void forEachSharedToken(const EncodedRecord& a, const EncodedRecord& b, std::span<const TokenKind> kinds, Fn&& fn) {
  for (const KeyedToken& x : a.tokens) {
    bool wanted = false;
    for (TokenKind kind : kinds) wanted = wanted || kind == x.kind;
    if (!wanted) continue;
    for (const KeyedToken& y : b.tokens) {
      if (y == x) {
        fn(x);
        break;
      }
    }
  }
}

// Comparison vectors of many pairs, stored flat: vector i is
// levels()[i * width() .. (i + 1) * width()).
class ComparisonVectorSet {
 public:
  explicit ComparisonVectorSet(std::size_t width) : width_(width) {}

  std::size_t width() const { return width_; }
  std::size_t size() const { return width_ == 0 ? 0 : levels_.size() / width_; }
  bool empty() const { return levels_.empty(); }
  void reserve(std::size_t vectors) { levels_.reserve(vectors * width_); }

  // Appends one vector (must have width() entries).
  void append(std::span<const std::uint8_t> vector);
  // Compares a pair with `settings` and appends its vector.
  void appendPair(const ComparisonSettings& settings, const EncodedRecord& a, const EncodedRecord& b);

  std::span<const std::uint8_t> operator[](std::size_t i) const { return {levels_.data() + i * width_, width_}; }
  const std::vector<std::uint8_t>& levels() const { return levels_; }

 private:
  std::size_t width_;
  std::vector<std::uint8_t> levels_;
};

}  // namespace nser::linkage
