#include "linkage/person_name.h"

#include <array>
#include <span>

#include "linkage/roman_urdu_rules.h"
#include "linkage/text_folding.h"

namespace nser::linkage {
namespace {

struct RelationMarker {
  std::array<std::string_view, 3> words;  // folded tokens, "" = unused
  RelationType type;
  bool onlyBetweenNames;                  // ambiguous on its own: needs a name before it
};

// Longer markers first so "wd o" wins over "w o" style prefixes.
constexpr auto kMarkers = std::to_array<RelationMarker>({
    {{"w", "d", "o"}, RelationType::widow_of, false},
    {{"son", "of", ""}, RelationType::son_of, false},
    {{"daughter", "of", ""}, RelationType::daughter_of, false},
    {{"wife", "of", ""}, RelationType::wife_of, false},
    {{"widow", "of", ""}, RelationType::widow_of, false},
    {{"husband", "of", ""}, RelationType::husband_of, false},
    {{"begum", "of", ""}, RelationType::wife_of, false},
    {{"bint", "e", ""}, RelationType::daughter_of, true},
    {{"wd", "o", ""}, RelationType::widow_of, false},
    {{"s", "o", ""}, RelationType::son_of, false},
    {{"d", "o", ""}, RelationType::daughter_of, false},
    {{"w", "o", ""}, RelationType::wife_of, false},
    {{"h", "o", ""}, RelationType::husband_of, false},
    {{"so", "", ""}, RelationType::son_of, true},
    {{"do", "", ""}, RelationType::daughter_of, true},
    {{"wo", "", ""}, RelationType::wife_of, true},
    {{"wdo", "", ""}, RelationType::widow_of, true},
    {{"bin", "", ""}, RelationType::son_of, true},
    {{"ibn", "", ""}, RelationType::son_of, true},
    {{"walad", "", ""}, RelationType::son_of, true},
    {{"wald", "", ""}, RelationType::son_of, true},
    {{"wld", "", ""}, RelationType::son_of, true},
    {{"bint", "", ""}, RelationType::daughter_of, true},
    {{"binte", "", ""}, RelationType::daughter_of, true},
    {{"dukhtar", "", ""}, RelationType::daughter_of, true},
    {{"zoja", "", ""}, RelationType::wife_of, true},
    {{"zauja", "", ""}, RelationType::wife_of, true},
    {{"zouja", "", ""}, RelationType::wife_of, true},
    {{"zaoja", "", ""}, RelationType::wife_of, true},
    {{"bewa", "", ""}, RelationType::widow_of, true},
});

// Width of the marker starting at tokens[i] (0 if none); sets `type`.
std::size_t matchMarker(std::span<const std::string_view> tokens, std::size_t i,
                        RelationType& type) {
  for (const RelationMarker& marker : kMarkers) {
    std::size_t width = 0;
    bool ok = true;
    for (std::string_view word : marker.words) {
      if (word.empty()) break;
      if (i + width >= tokens.size() || tokens[i + width][0] != word[0] ||
          tokens[i + width] != word) {
        ok = false;
        break;
      }
      ++width;
    }
    if (!ok || width == 0) continue;
    if (marker.onlyBetweenNames && (i == 0 || i + width >= tokens.size())) continue;
    type = marker.type;
    return width;
  }
  return 0;
}

void buildParts(std::vector<std::string_view> tokens, NameParts& parts) {
  separateTitles(tokens, parts.titles);
  parts.tokens.assign(tokens.begin(), tokens.end());
  parts.canonicalTokens = canonicaliseNameTokens(tokens);
}

std::uint32_t foldFlagsToNameFlags(std::uint32_t fold) {
  std::uint32_t flags = 0;
  if (fold & kFoldInvalidUtf8) flags |= kNameInvalidUtf8;
  if (fold & kFoldNonLatinScript) flags |= kNameNonLatinScript;
  if (fold & kFoldHadDigits) flags |= kNameHasDigits;
  return flags;
}

std::string joinTokens(const std::vector<std::string>& tokens, std::string_view separator) {
  std::string out;
  for (const std::string& token : tokens) {
    if (!out.empty()) out.append(separator);
    out.append(token);
  }
  return out;
}

}  // namespace

std::string NameParts::canonical() const { return joinTokens(canonicalTokens, " "); }

std::string NameParts::joined() const { return joinTokens(canonicalTokens, ""); }

std::string_view relationTypeName(RelationType type) {
  switch (type) {
    case RelationType::son_of: return "son_of";
    case RelationType::daughter_of: return "daughter_of";
    case RelationType::wife_of: return "wife_of";
    case RelationType::widow_of: return "widow_of";
    case RelationType::husband_of: return "husband_of";
    case RelationType::none: break;
  }
  return "none";
}

RelationTypeValue parseRelationType(std::string_view raw) {
  std::string folded;
  foldText(raw, folded);
  if (folded.empty()) return {RelationType::none, true};
  struct Spelling {
    std::string_view text;
    RelationType type;
  };
  static constexpr auto kSpellings = std::to_array<Spelling>({
      {"s o", RelationType::son_of},       {"so", RelationType::son_of},
      {"son of", RelationType::son_of},    {"son", RelationType::son_of},
      {"son_of", RelationType::son_of},    {"d o", RelationType::daughter_of},
      {"do", RelationType::daughter_of},   {"daughter of", RelationType::daughter_of},
      {"daughter", RelationType::daughter_of}, {"w o", RelationType::wife_of},
      {"wo", RelationType::wife_of},       {"wife of", RelationType::wife_of},
      {"wife", RelationType::wife_of},     {"wd o", RelationType::widow_of},
      {"w d o", RelationType::widow_of},   {"widow of", RelationType::widow_of},
      {"widow", RelationType::widow_of},   {"h o", RelationType::husband_of},
      {"husband of", RelationType::husband_of}, {"husband", RelationType::husband_of},
      {"none", RelationType::none},
  });
  // foldText turns "son_of" into "son of"; both spellings are listed anyway.
  for (const Spelling& spelling : kSpellings) {
    if (spelling.text == folded) return {spelling.type, true};
  }
  return {RelationType::none, false};
}

Gender impliedGender(RelationType type) {
  switch (type) {
    case RelationType::son_of:
    case RelationType::husband_of:
      return Gender::male;
    case RelationType::daughter_of:
    case RelationType::wife_of:
    case RelationType::widow_of:
      return Gender::female;
    case RelationType::none:
      break;
  }
  return Gender::unknown;
}

PersonName parsePersonName(std::string_view raw) {
  PersonName result;
  std::string folded;
  result.flags |= foldFlagsToNameFlags(foldText(raw, folded));

  std::vector<std::string_view> tokens;
  splitFoldedTokens(folded, [&](std::string_view token) { tokens.push_back(token); });

  std::size_t markerAt = tokens.size();
  std::size_t markerWidth = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    RelationType type = RelationType::none;
    if (const std::size_t width = matchMarker(tokens, i, type); width > 0) {
      markerAt = i;
      markerWidth = width;
      result.relation = type;
      break;
    }
  }

  std::vector<std::string_view> nameTokens(tokens.begin(),
                                           tokens.begin() + static_cast<std::ptrdiff_t>(markerAt));
  buildParts(std::move(nameTokens), result.name);

  if (result.relation != RelationType::none) {
    std::size_t end = tokens.size();
    for (std::size_t i = markerAt + markerWidth; i < tokens.size(); ++i) {
      RelationType second = RelationType::none;
      if (i > markerAt + markerWidth && matchMarker(tokens, i, second) > 0) {
        end = i;
        result.flags |= kNameMultipleRelations;
        break;
      }
    }
    std::vector<std::string_view> relationTokens(
        tokens.begin() + static_cast<std::ptrdiff_t>(markerAt + markerWidth),
        tokens.begin() + static_cast<std::ptrdiff_t>(end));
    buildParts(std::move(relationTokens), result.relationName);
    if (result.relationName.empty()) result.flags |= kNameRelationWithoutName;
  }
  if (result.name.empty()) result.flags |= kNameEmpty;
  if (result.flags != 0) result.reason = describeNameFlags(result.flags);
  return result;
}

NameParts parseNameParts(std::string_view raw, std::uint32_t* flags) {
  NameParts parts;
  std::string folded;
  std::uint32_t nameFlags = foldFlagsToNameFlags(foldText(raw, folded));
  std::vector<std::string_view> tokens;
  splitFoldedTokens(folded, [&](std::string_view token) { tokens.push_back(token); });
  buildParts(std::move(tokens), parts);
  if (parts.empty()) nameFlags |= kNameEmpty;
  if (flags != nullptr) *flags = nameFlags;
  return parts;
}

std::string describeNameFlags(std::uint32_t flags) {
  std::string text;
  auto add = [&](std::uint32_t bit, std::string_view what) {
    if ((flags & bit) == 0) return;
    if (!text.empty()) text += "; ";
    text += what;
  };
  add(kNameEmpty, "no name after removing titles");
  add(kNameInvalidUtf8, "invalid UTF-8 in name");
  add(kNameNonLatinScript, "name contains non-Latin script");
  add(kNameHasDigits, "name contains digits");
  add(kNameRelationWithoutName, "relation marker without a name");
  add(kNameMultipleRelations, "more than one relation marker; kept the first relation");
  return text;
}

}  // namespace nser::linkage
