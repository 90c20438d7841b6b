// The kinds of corruption a source applies to its records and the target rate
// of each under the three profiles (clean, realistic, hard).
//
// A rate is a probability per eligible record: the record must allow the
// corruption (a CNIC must be present to get a wrong digit, a day must be <= 12
// and differ from the month to swap day and month, a woman must be married to
// be listed d/o her father instead of w/o her husband, ...). The date kinds are
// mutually exclusive (one draw picks at most one), as are the phone kinds; the
// others are independent. A source's rates are the profile's multiplied by its
// corruption_scale and capped at 1. docs/synthetic-data.md has the table.
#pragma once

#include <array>
#include <optional>
#include <string_view>

namespace nser::synth {

enum class CorruptionKind : int {
  kNameTransliteration,
  kNameHonorific,
  kNameTokenOrder,
  kNameJoinSplit,
  kNameTypo,
  kNameTokenDrop,
  kRelationNameTransliteration,
  kRelationNameHonorific,
  kRelationNameTypo,
  kRelationFatherForHusband,
  kRelationMissing,
  kCnicMissing,
  kCnicDigitWrong,
  kCnicTransposed,
  kCnicNoDashes,
  kDobYearOnly,
  kDobJanuaryFirst,
  kDobDayMonthSwap,
  kDobFromAge,
  kDistrictSpelling,
  kHouseholdMoved,
  kAddressFormat,
  kPhoneMissing,
  kPhoneChanged,
  kCount
};
inline constexpr int kCorruptionKindCount = static_cast<int>(CorruptionKind::kCount);

enum class Profile { kClean, kRealistic, kHard };

// "name.transliteration", "cnic.missing", ... (stable: stats.json keys).
std::string_view corruptionKindName(CorruptionKind kind);
std::string_view profileName(Profile profile);
std::optional<Profile> parseProfile(std::string_view name);

using CorruptionRates = std::array<double, kCorruptionKindCount>;

// The profile's target rates times `scale`, each capped at 1.
CorruptionRates corruptionRates(Profile profile, double scale = 1.0);

}  // namespace nser::synth
