// American Soundex (the rules used by the US National Archives, including
// the H/W rule): first letter kept, then digits for consonant classes
// (1 BFPV, 2 CGJKQSXZ, 3 DT, 4 L, 5 MN, 6 R); adjacent letters with the same
// digit code once, also across H and W but not across vowels; the code is
// padded with zeros or cut to 4 characters ("Robert" R163, "Tymczak" T522,
// "Pfister" P236, "Ashcraft" A261). Non-letters are ignored; input without an
// ASCII letter gives "". Input should be foldText() output or ASCII.
// Kept for the phonetic evaluation baseline. Pure, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace nser::linkage {

std::string soundex(std::string_view word);

}  // namespace nser::linkage
