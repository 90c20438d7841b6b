// Double Metaphone (Lawrence Philips, C/C++ Users Journal, June 2000): a
// primary and an alternate phonetic code for a word, each at most
// `maxLength` characters (4 in the published algorithm). This is an
// implementation of the full published rule set (Germanic, Slavic, Spanish,
// Italian, French and Greek special cases included); '0' codes "th" as in
// the original, 'X' codes "sh"/"ch". Examples: Smith SM0/XMT, Schmidt
// XMT/SMT, Thomas TMS/TMS, Jose HS/HS.
// One deliberate deviation: where the original appends a space to the
// alternate code for a word-final J ("Raj": RJ / R), nothing is appended.
// Input: one word, ASCII letters (case-insensitive); other characters are
// skipped as in the original. Kept as an evaluation baseline for the
// Roman-Urdu key. Pure, thread-safe.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace nser::linkage {

struct DoubleMetaphoneCode {
  std::string primary;
  std::string alternate;
};

DoubleMetaphoneCode doubleMetaphone(std::string_view word, std::size_t maxLength = 4);

}  // namespace nser::linkage
