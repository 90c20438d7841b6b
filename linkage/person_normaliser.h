// PersonNormaliser: turns the raw identifying columns of one person record
// (as written by a custodian or programme) into the normalised fields that
// the encoder hashes: the vocabulary that NSER linkage schemas name in their
// features (docs/linkage-schema.md).
//
//   field               example                 from
//   name                "muhamad aslam"         name column, titles and any relation removed, Roman-Urdu canonical
//   name_joined         "muhamadaslam"          the same without spaces
//   titles              "syed haji"             honorifics found in the name
//   name_phonetic       "MMD ASLM"              Roman-Urdu phonetic key per token
//   relation_type       "son_of"                relation column, or the marker inside the name
//   relation_name       "ghulam rasul"          relation name column, or the part after the marker
//   relation_phonetic   phonetic key of relation_name
//   cnic                "3520212345671"         13 digits, only when well formed
//   gender              "M" / "F" / "X" / ""
//   birth_date          "1985-03-12", "1985-03" or "1985"
//   birth_year / birth_month / birth_day          components ("" when absent)
//   district / tehsil   folded, Roman-Urdu canonical tokens
//   phone               national form "03001234567", only when usable
//
// Data problems become flags (EncodedRecordFlag bits) and words in `reason`
// (never a value). A record is `usable` unless it has no name proper at all:
// such a record cannot be linked and must be quarantined by the caller.
// Thread-safe; does not throw.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "linkage/name_parse_memo.h"
#include "linkage/partial_date.h"

namespace nser::linkage {

enum class PersonField : std::uint8_t {
  Name,
  NameJoined,
  Titles,
  NamePhonetic,
  RelationType,
  RelationName,
  RelationPhonetic,
  Cnic,
  Gender,
  BirthDate,
  BirthYear,
  BirthMonth,
  BirthDay,
  District,
  Tehsil,
  Phone,
};
inline constexpr std::size_t kPersonFieldCount = 16;

std::string_view personFieldName(PersonField field);
std::optional<PersonField> personFieldByName(std::string_view name);

// The raw identifying columns; any may be empty.
struct PersonIdentity {
  std::string_view name{};
  std::string_view relationType{};
  std::string_view relationName{};
  std::string_view cnic{};
  std::string_view gender{};
  std::string_view birthDate{};
  std::string_view district{};
  std::string_view tehsil{};
  std::string_view phone{};
};

struct NormalisedPerson {
  std::array<std::string, kPersonFieldCount> fields;
  std::uint32_t flags = 0;  // EncodedRecordFlag bits
  bool usable = true;
  std::string reason;  // problems in words, "; "-separated; never a value

  const std::string& operator[](PersonField field) const { return fields[static_cast<std::size_t>(field)]; }
  std::string& operator[](PersonField field) { return fields[static_cast<std::size_t>(field)]; }
};

class PersonNormaliser {
 public:
  // `today` bounds plausible birth dates (year 0: no future/age checks).
  explicit PersonNormaliser(CivilDate today = {});

  NormalisedPerson normalise(const PersonIdentity& identity) const;
  // The same, looking the name columns up in `memo` (per thread) first:
  // identical output, much less work when names repeat.
  NormalisedPerson normalise(const PersonIdentity& identity, NormaliserMemo* memo) const;

 private:
  DateParseOptions dateOptions_;
};

}  // namespace nser::linkage
