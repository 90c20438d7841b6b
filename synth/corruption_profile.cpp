#include "synth/corruption_profile.h"

#include <algorithm>

namespace nser::synth {
namespace {

struct KindRow {
  std::string_view name;
  double clean;
  double realistic;
  double hard;
};

// Indexed by CorruptionKind. "clean" keeps only harmless formatting drift.
constexpr KindRow kRows[kCorruptionKindCount] = {
    {"name.transliteration", 0.02, 0.30, 0.55},
    {"name.honorific", 0.01, 0.10, 0.20},
    {"name.token_order", 0.0, 0.03, 0.08},
    {"name.join_split", 0.0, 0.05, 0.12},
    {"name.typo", 0.005, 0.04, 0.10},
    {"name.token_drop", 0.005, 0.05, 0.12},
    {"relation_name.transliteration", 0.02, 0.25, 0.45},
    {"relation_name.honorific", 0.01, 0.10, 0.20},
    {"relation_name.typo", 0.005, 0.03, 0.08},
    {"relation.father_for_husband", 0.02, 0.25, 0.45},
    {"relation.missing", 0.0, 0.02, 0.06},
    {"cnic.missing", 0.005, 0.08, 0.20},
    {"cnic.digit_wrong", 0.002, 0.02, 0.05},
    {"cnic.transposed", 0.001, 0.01, 0.03},
    {"cnic.no_dashes", 0.10, 0.30, 0.50},
    {"dob.year_only", 0.01, 0.10, 0.20},
    {"dob.january_first", 0.01, 0.08, 0.15},
    {"dob.day_month_swap", 0.002, 0.03, 0.06},
    {"dob.from_age", 0.005, 0.05, 0.12},
    {"district.spelling", 0.01, 0.10, 0.20},
    {"household.moved", 0.002, 0.03, 0.06},
    {"address.format", 0.05, 0.30, 0.50},
    {"phone.missing", 0.02, 0.15, 0.30},
    {"phone.changed", 0.01, 0.05, 0.12},
};

}  // namespace

std::string_view corruptionKindName(CorruptionKind kind) { return kRows[static_cast<int>(kind)].name; }

std::string_view profileName(Profile profile) {
  switch (profile) {
    case Profile::kClean:
      return "clean";
    case Profile::kRealistic:
      return "realistic";
    case Profile::kHard:
      return "hard";
  }
  return "realistic";
}

std::optional<Profile> parseProfile(std::string_view name) {
  if (name == "clean") return Profile::kClean;
  if (name == "realistic") return Profile::kRealistic;
  if (name == "hard") return Profile::kHard;
  return std::nullopt;
}

CorruptionRates corruptionRates(Profile profile, double scale) {
  CorruptionRates rates{};
  for (int i = 0; i < kCorruptionKindCount; ++i) {
    const KindRow& row = kRows[i];
    const double base = profile == Profile::kClean ? row.clean : profile == Profile::kHard ? row.hard : row.realistic;
    rates[static_cast<std::size_t>(i)] = std::min(1.0, base * scale);
  }
  return rates;
}

}  // namespace nser::synth
