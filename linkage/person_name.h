// Parsing of a full name field into its features: titles, the name proper
// (folded and Roman-Urdu canonical tokens) and, when the field carries one,
// a relation ("Zainab Bibi w/o Muhammad Aslam": name zainab, title bibi,
// relation wife_of, relation name "muhamad aslam").
//
// Steps: foldText() -> tokens -> first relation marker splits the field ->
// separateTitles() on each side -> canonicaliseNameTokens().
// Relation markers (after folding, so "S/O", "s/o.", "S.O" are all "s o"):
//   son_of:      s o, so, son of, bin, ibn, walad, wald, wld
//   daughter_of: d o, do, daughter of, bint, binte, bint e, dukhtar
//   wife_of:     w o, wo, wife of, zoja, zauja, zouja, zaoja, begum of
//   widow_of:    wd o, w d o, widow of, bewa
//   husband_of:  h o, husband of
// "so", "do", "wo", "bin", "bint", "ibn" and "walad" count only between two
// name tokens (never first), because on their own they may be part of a name.
// Data problems are flags (with words in `reason`), never exceptions.
// Thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "linkage/gender.h"
#include "linkage/honorifics.h"

namespace nser::linkage {

enum class RelationType : unsigned char {
  none = 0, son_of, daughter_of, wife_of, widow_of, husband_of,
};

// "son_of", "daughter_of", ..., "none".
std::string_view relationTypeName(RelationType type);

// Reads a relation-type column value ("s/o", "S/O", "son_of", "son of",
// "D/O", "w/o", "wife", "widow", ...). Unknown text gives none with
// `recognised` false; empty text gives none with `recognised` true.
struct RelationTypeValue {
  RelationType type = RelationType::none;
  bool recognised = false;
};
RelationTypeValue parseRelationType(std::string_view raw);

// The gender a relation implies for the person it describes (son_of: male;
// daughter_of, wife_of, widow_of: female; husband_of: male; none: unknown).
Gender impliedGender(RelationType type);

enum NameFlag : std::uint32_t {
  kNameEmpty = 1u << 0,               // no name token left (titles only, or nothing)
  kNameInvalidUtf8 = 1u << 1,         // foldText replaced invalid bytes
  kNameNonLatinScript = 1u << 2,      // Urdu/Arabic or other script kept as is
  kNameHasDigits = 1u << 3,           // a digit in a name
  kNameRelationWithoutName = 1u << 4, // a relation marker with nothing after it
  kNameMultipleRelations = 1u << 5,   // a second marker (kept only up to it)
};

// One name: titles, folded tokens and canonical tokens.
struct NameParts {
  std::vector<Title> titles;                 // in order of appearance
  std::vector<std::string> tokens;           // folded, titles removed
  std::vector<std::string> canonicalTokens;  // Roman-Urdu canonical (compounds joined)

  // Canonical tokens joined with one space ("muhamad aslam").
  std::string canonical() const;
  // Canonical tokens concatenated ("muhamadaslam"): compares "Noor Jahan"
  // with "Noorjahan" when no particle rule joins them.
  std::string joined() const;
  bool empty() const { return tokens.empty(); }
};

struct PersonName {
  NameParts name;
  RelationType relation = RelationType::none;
  NameParts relationName;     // empty unless relation != none
  std::uint32_t flags = 0;    // NameFlag bits
  std::string reason;         // words for `flags`; never contains the name
};

// Parses a full name field, possibly with an embedded relation.
PersonName parsePersonName(std::string_view raw);

// Parses a field that holds only a name (e.g. a relation_name column):
// folds, removes titles and canonicalises; relation markers are not sought.
// `flags` (may be null) receives NameFlag bits.
NameParts parseNameParts(std::string_view raw, std::uint32_t* flags = nullptr);

std::string describeNameFlags(std::uint32_t flags);

}  // namespace nser::linkage
