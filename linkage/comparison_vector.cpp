#include "linkage/comparison_vector.h"

#include <Poco/JSON/Object.h>

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstring>
#include <limits>
#include <set>

#include "linkage/cpu_features.h"

namespace nser::linkage {

namespace {

// Set bits of a, of b and of a & b over n words. Two builds of one loop: the
// release build targets baseline x86-64, where std::popcount is a dozen
// instructions; the popcnt build makes it one, and is chosen at run time
// (linkage/cpu_features.h) like the Dice kernel's paths.
struct BitCounts {
  std::uint64_t common = 0, countA = 0, countB = 0;
};

BitCounts countBitsBaseline(const std::uint64_t* a, const std::uint64_t* b, std::size_t n) {
  BitCounts counts;
  for (std::size_t i = 0; i < n; ++i) {
    counts.common += static_cast<std::uint64_t>(std::popcount(a[i] & b[i]));
    counts.countA += static_cast<std::uint64_t>(std::popcount(a[i]));
    counts.countB += static_cast<std::uint64_t>(std::popcount(b[i]));
  }
  return counts;
}

#if defined(__x86_64__)
__attribute__((target("popcnt"))) BitCounts countBitsPopcnt(const std::uint64_t* a, const std::uint64_t* b,
                                                            std::size_t n) {
  BitCounts counts;
  for (std::size_t i = 0; i < n; ++i) {
    counts.common += static_cast<std::uint64_t>(__builtin_popcountll(a[i] & b[i]));
    counts.countA += static_cast<std::uint64_t>(__builtin_popcountll(a[i]));
    counts.countB += static_cast<std::uint64_t>(__builtin_popcountll(b[i]));
  }
  return counts;
}
#endif

using BitCounter = BitCounts (*)(const std::uint64_t*, const std::uint64_t*, std::size_t);

BitCounter bitCounter() {
#if defined(__x86_64__)
  static const BitCounter counter = cpuFeatures().popcnt ? countBitsPopcnt : countBitsBaseline;
  return counter;
#else
  return countBitsBaseline;
#endif
}

constexpr std::size_t kUnbound = std::numeric_limits<std::size_t>::max();
const std::string kNullLabel = "null";

bool tokenKindFromName(std::string_view name, TokenKind& kind) {
  for (unsigned value = 1; value <= 255; ++value) {
    auto candidate = static_cast<TokenKind>(value);
    if (name == tokenKindName(candidate) && name != "unknown") {
      kind = candidate;
      return true;
    }
  }
  return false;
}

std::string knownTokenKindNames() {
  std::string list;
  for (unsigned value = 1; value <= 255; ++value) {
    std::string_view name = tokenKindName(static_cast<TokenKind>(value));
    if (name == "unknown") continue;
    if (!list.empty()) list += ", ";
    list += name;
  }
  return list;
}

[[noreturn]] void invalid(const ComparisonDefinition& comparison, const std::string& what) {
  throw ComparisonSettingsError("comparison '" + comparison.name + "': " + what);
}

void validate(const ComparisonDefinition& comparison) {
  if (comparison.name.empty()) throw ComparisonSettingsError("a comparison has an empty name");
  const auto& levels = comparison.levels;
  if (levels.size() < 2) invalid(comparison, "needs at least two levels (one condition and the else level)");
  if (levels.size() > kMaxDeclaredLevels) invalid(comparison, "has more than 254 levels");
  std::set<std::string> labels{kNullLabel};
  for (std::size_t i = 0; i < levels.size(); ++i) {
    const ComparisonLevel& level = levels[i];
    const bool isElse = i + 1 == levels.size();
    if (level.label.empty()) invalid(comparison, "level " + std::to_string(i) + " has an empty label");
    if (!labels.insert(level.label).second) {
      invalid(comparison, "level label '" + level.label + "' is used twice (\"null\" is reserved)");
    }
    if (comparison.method == ComparisonMethod::FieldDice) {
      if (!level.tokenKinds.empty() || level.termFrequency) {
        invalid(comparison, "level '" + level.label + "': token kinds and term frequency apply to token_agreement only");
      }
      if (isElse) continue;
      if (!(level.minDice > 0.0 && level.minDice <= 1.0)) {
        invalid(comparison, "level '" + level.label + "': min_dice must be in (0, 1]");
      }
      if (i > 0 && !(level.minDice < levels[i - 1].minDice)) {
        invalid(comparison, "level '" + level.label + "': min_dice must be below the previous level's");
      }
    } else {
      if (isElse) {
        if (!level.tokenKinds.empty() || level.termFrequency) {
          invalid(comparison, "the last level '" + level.label + "' is the else level: it takes no token kinds");
        }
        continue;
      }
      if (level.tokenKinds.empty()) invalid(comparison, "level '" + level.label + "' names no token kinds");
    }
  }
  if (comparison.method == ComparisonMethod::FieldDice && comparison.field.empty()) {
    invalid(comparison, "field_dice needs a field");
  }
  if (comparison.method == ComparisonMethod::TokenAgreement && !comparison.field.empty()) {
    invalid(comparison, "token_agreement takes no field");
  }
}

// Token equality as two 64-bit compares: a CNIC's deletion neighbourhood
// makes this the most frequent operation of a comparison (13 x 13 per pair).
inline bool sameToken(const KeyedToken& x, const KeyedToken& y) {
  if (x.kind != y.kind) return false;
  std::uint64_t xw[2], yw[2];
  static_assert(sizeof(xw) == sizeof(x.digest));
  std::memcpy(xw, x.digest.data(), sizeof(xw));
  std::memcpy(yw, y.digest.data(), sizeof(yw));
  return ((xw[0] ^ yw[0]) | (xw[1] ^ yw[1])) == 0;
}

}  // namespace

const std::string& ComparisonDefinition::levelLabel(std::uint8_t level) const {
  if (level == kNullLevel || level > levels.size()) return kNullLabel;
  return levels[level - 1].label;
}

ComparisonSettings::ComparisonSettings(std::vector<ComparisonDefinition> comparisons)
    : comparisons_(std::move(comparisons)), fieldIndex_(comparisons_.size(), kUnbound), kindLevel_(comparisons_.size()) {
  std::set<std::string> names;
  for (std::size_t c = 0; c < comparisons_.size(); ++c) {
    const auto& comparison = comparisons_[c];
    validate(comparison);
    if (!names.insert(comparison.name).second) invalid(comparison, "the name is used twice");
    kindLevel_[c].fill(0);
    if (comparison.method != ComparisonMethod::TokenAgreement) continue;
    for (std::size_t l = comparison.levels.size(); l-- > 0;) {  // last to first: the first level wins
      for (TokenKind kind : comparison.levels[l].tokenKinds) {
        kindLevel_[c][static_cast<std::uint8_t>(kind)] = static_cast<std::uint8_t>(l + 1);
      }
    }
  }
}

ComparisonSettings ComparisonSettings::fromJson(const schemas::JsonNode& node,
                                                std::span<const std::string_view> extraLevelKeys) {
  std::vector<ComparisonDefinition> definitions;
  const auto items = node.asArray();
  if (items.empty()) node.fail("needs at least one comparison");
  for (const auto& item : items) {
    item.rejectUnknownKeys({"name", "type", "field", "levels"});
    ComparisonDefinition definition;
    definition.name = item.field("name").asString();
    if (definition.name.empty()) item.field("name").fail("must not be empty");
    const std::string type = item.field("type").asEnum({"field_dice", "token_agreement"});
    definition.method = type == "field_dice" ? ComparisonMethod::FieldDice : ComparisonMethod::TokenAgreement;
    if (definition.method == ComparisonMethod::FieldDice) {
      definition.field = item.field("field").asString();
    } else if (item.has("field")) {
      item.field("field").fail("token_agreement takes no field");
    }
    const auto levelNodes = item.field("levels").asArray();
    for (std::size_t i = 0; i < levelNodes.size(); ++i) {
      const auto& levelNode = levelNodes[i];
      for (const auto& key : levelNode.keys()) {
        static constexpr std::string_view kOwn[] = {"label", "min_dice", "token_kinds", "term_frequency"};
        bool known = std::find(std::begin(kOwn), std::end(kOwn), key) != std::end(kOwn) ||
                     std::find(extraLevelKeys.begin(), extraLevelKeys.end(), key) != extraLevelKeys.end();
        if (known) continue;
        std::string list = "label, min_dice, token_kinds, term_frequency";
        for (auto extra : extraLevelKeys) list += ", " + std::string(extra);
        levelNode.fail("unknown key '" + key + "' (known: " + list + ")");
      }
      const bool isElse = i + 1 == levelNodes.size();
      ComparisonLevel level;
      level.label = levelNode.field("label").asString();
      if (definition.method == ComparisonMethod::FieldDice) {
        if (levelNode.has("token_kinds")) levelNode.field("token_kinds").fail("applies to token_agreement only");
        if (levelNode.has("term_frequency")) levelNode.field("term_frequency").fail("applies to token_agreement only");
        if (isElse) {
          if (levelNode.has("min_dice")) levelNode.field("min_dice").fail("the last level is the else level: no condition");
        } else {
          level.minDice = levelNode.field("min_dice").asNumber(std::numeric_limits<double>::min(), 1.0);
        }
      } else {
        if (levelNode.has("min_dice")) levelNode.field("min_dice").fail("applies to field_dice only");
        if (isElse) {
          if (levelNode.has("token_kinds")) levelNode.field("token_kinds").fail("the last level is the else level: no condition");
          if (levelNode.has("term_frequency")) levelNode.field("term_frequency").fail("the else level has no token");
        } else {
          const auto kindsNode = levelNode.field("token_kinds");
          for (const auto& kindNode : kindsNode.asArray()) {
            TokenKind kind{};
            if (!tokenKindFromName(kindNode.asString(), kind)) {
              kindNode.fail("unknown token kind (known: " + knownTokenKindNames() + ")");
            }
            level.tokenKinds.push_back(kind);
          }
          if (level.tokenKinds.empty()) kindsNode.fail("needs at least one token kind");
          level.termFrequency = levelNode.boolOr("term_frequency", false);
        }
      }
      definition.levels.push_back(std::move(level));
    }
    try {
      validate(definition);
    } catch (const ComparisonSettingsError& error) {
      item.fail(error.what());
    }
    definitions.push_back(std::move(definition));
  }
  try {
    return ComparisonSettings(std::move(definitions));
  } catch (const ComparisonSettingsError& error) {
    node.fail(error.what());
  }
}

Poco::JSON::Array::Ptr ComparisonSettings::toJson() const {
  Poco::JSON::Array::Ptr array = new Poco::JSON::Array;
  for (const auto& comparison : comparisons_) {
    Poco::JSON::Object::Ptr object = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    object->set("name", comparison.name);
    const bool dice = comparison.method == ComparisonMethod::FieldDice;
    object->set("type", dice ? "field_dice" : "token_agreement");
    if (dice) object->set("field", comparison.field);
    Poco::JSON::Array::Ptr levels = new Poco::JSON::Array;
    for (std::size_t i = 0; i < comparison.levels.size(); ++i) {
      const auto& level = comparison.levels[i];
      const bool isElse = i + 1 == comparison.levels.size();
      Poco::JSON::Object::Ptr levelObject = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
      levelObject->set("label", level.label);
      if (dice && !isElse) levelObject->set("min_dice", level.minDice);
      if (!dice && !isElse) {
        Poco::JSON::Array::Ptr kinds = new Poco::JSON::Array;
        for (TokenKind kind : level.tokenKinds) kinds->add(std::string(tokenKindName(kind)));
        levelObject->set("token_kinds", kinds);
        if (level.termFrequency) levelObject->set("term_frequency", true);
      }
      levels->add(levelObject);
    }
    object->set("levels", levels);
    array->add(object);
  }
  return array;
}

void ComparisonSettings::bindFields(std::span<const std::string> fieldNames) {
  for (std::size_t c = 0; c < comparisons_.size(); ++c) {
    const auto& comparison = comparisons_[c];
    if (comparison.method != ComparisonMethod::FieldDice) continue;
    auto it = std::find(fieldNames.begin(), fieldNames.end(), comparison.field);
    if (it == fieldNames.end()) {
      invalid(comparison, "the encoding has no field-level filter for field '" + comparison.field + "'");
    }
    fieldIndex_[c] = static_cast<std::size_t>(it - fieldNames.begin());
  }
  bound_ = true;
}

std::vector<std::size_t> ComparisonSettings::levelCounts() const {
  std::vector<std::size_t> counts;
  counts.reserve(comparisons_.size());
  for (const auto& comparison : comparisons_) counts.push_back(comparison.levelCount());
  return counts;
}

double filterDice(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b) {
  const std::size_t n = std::min(a.size(), b.size());
  const BitCounts counts = bitCounter()(a.data(), b.data(), n);
  const std::uint64_t common = counts.common;
  std::uint64_t total = counts.countA + counts.countB;
  for (std::size_t i = n; i < a.size(); ++i) total += static_cast<std::uint64_t>(std::popcount(a[i]));
  for (std::size_t i = n; i < b.size(); ++i) total += static_cast<std::uint64_t>(std::popcount(b[i]));
  return total == 0 ? 0.0 : 2.0 * static_cast<double>(common) / static_cast<double>(total);
}

std::uint8_t ComparisonSettings::compareOne(std::size_t c, const EncodedRecord& a, const EncodedRecord& b) const {
  const ComparisonDefinition& comparison = comparisons_[c];
  const auto& levels = comparison.levels;
  const auto elseLevel = static_cast<std::uint8_t>(levels.size());
  if (comparison.method == ComparisonMethod::FieldDice) {
    const std::size_t field = fieldIndex_[c];
    if (field == kUnbound || field >= a.fieldFilters.size() || field >= b.fieldFilters.size()) return kNullLevel;
    const FilterWords& fa = a.fieldFilters[field];
    const FilterWords& fb = b.fieldFilters[field];
    if (fa.empty() || fa.size() != fb.size()) return kNullLevel;
    // One pass over the words computes both popcounts and the intersection.
    const BitCounts counts = bitCounter()(fa.data(), fb.data(), fa.size());
    if (counts.countA == 0 || counts.countB == 0) return kNullLevel;
    const double dice = 2.0 * static_cast<double>(counts.common) / static_cast<double>(counts.countA + counts.countB);
    for (std::size_t i = 0; i + 1 < levels.size(); ++i) {
      if (dice >= levels[i].minDice) return static_cast<std::uint8_t>(i + 1);
    }
    return elseLevel;
  }
  // One pass: the level of each of a's tokens whose kind the comparison
  // names; only a token that could improve on the best level so far is
  // looked up in b. Null when either record has no token of those kinds.
  const std::array<std::uint8_t, 256>& kindLevel = kindLevel_[c];
  bool bHasKind = false;
  for (const KeyedToken& y : b.tokens) {
    if (kindLevel[static_cast<std::uint8_t>(y.kind)] != 0) {
      bHasKind = true;
      break;
    }
  }
  if (!bHasKind) return kNullLevel;
  bool aHasKind = false;
  std::uint8_t best = elseLevel;
  for (const KeyedToken& x : a.tokens) {
    const std::uint8_t level = kindLevel[static_cast<std::uint8_t>(x.kind)];
    if (level == 0) continue;
    aHasKind = true;
    if (level >= best) continue;
    for (const KeyedToken& y : b.tokens) {
      if (sameToken(x, y)) {
        best = level;
        break;
      }
    }
  }
  return aHasKind ? best : kNullLevel;
}

void ComparisonSettings::compare(const EncodedRecord& a, const EncodedRecord& b, std::span<std::uint8_t> levels) const {
  assert(levels.size() >= comparisons_.size());
  for (std::size_t c = 0; c < comparisons_.size(); ++c) levels[c] = compareOne(c, a, b);
}

void ComparisonVectorSet::append(std::span<const std::uint8_t> vector) {
  assert(vector.size() == width_);
  levels_.insert(levels_.end(), vector.begin(), vector.end());
}

void ComparisonVectorSet::appendPair(const ComparisonSettings& settings, const EncodedRecord& a, const EncodedRecord& b) {
  const std::size_t start = levels_.size();
  levels_.resize(start + width_);
  settings.compare(a, b, std::span<std::uint8_t>(levels_.data() + start, width_));
}

}  // namespace nser::linkage
