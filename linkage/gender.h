// Gender values as they appear in registry and programme data, read into one
// enum. Recognised spellings (case- and punctuation-insensitive, after
// foldText): male: m, male, man, boy, mard, larka, aadmi, 1, muzakkar, مرد, مذکر;
// female: f, female, woman, girl, aurat, larki, khatoon, 2, muannas, عورت, مؤنث;
// other (NADRA issues "X" cards): x, 3, other, transgender, khwaja sira,
// khawaja sira, khunsa; explicit unknown: "", u, unknown, na, n a, 0, 9, nil.
// Anything else is Gender::unknown with `recognised` false, so the caller can
// flag the row instead of guessing.
#pragma once

#include <string_view>

namespace nser::linkage {

enum class Gender : unsigned char { unknown = 0, male = 1, female = 2, other = 3 };

struct GenderValue {
  Gender gender = Gender::unknown;
  bool recognised = false;  // false: the text was not a known spelling
};

GenderValue parseGender(std::string_view raw);

// "male", "female", "other", "unknown".
std::string_view genderName(Gender gender);

}  // namespace nser::linkage
