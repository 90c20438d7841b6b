// The Roman-Urdu phonetic key: a consonant skeleton of a name token designed
// for the ways Urdu, Punjabi, Sindhi, Pashto and Balochi names are written in
// Latin letters (design and evaluation: docs/roman-urdu-normalisation.md).
//
// Built on the canonical token (roman_urdu_rules.h: Muhammad family, q>k,
// dh/zh>z, w>v, aa/ee/oo, doubled letters, -ah ...), then:
//   1. an initial vowel (a e i o u) is coded "A" (Usman/Osman, Imran/Emran);
//      an initial y is "Y";
//   2. other vowels and non-initial y are dropped (Zainab/Zaineb,
//      Ayesha/Aisha, Maryam/Mariam);
//   3. consonants map to classes: b bh>B; p>P; f>F; v>V; m>M; n>N; l>L;
//      r rh>R; t th>T; d dh>D; k kh q c(hard)>K (the h of kh is often
//      dropped: "Kan"/"Khan", "Shaik"/"Shaikh"); g gh>G; j jh>J;
//      ch>C; sh>S, s c(before e i y)>S (sh and s merge: Shazia/Sazia are
//      seldom different people, often a dropped h); z>Z; x>KS; h>H only at
//      the start of the word (elsewhere h is dropped: writers add and omit it
//      freely, "Shehnaz"/"Shenaz", "Shah"/"Sha");
//   4. equal adjacent codes collapse (after 3, so "kq" or "ts" spellings
//      with one sound collapse).
// The key of a full name is the keys of its canonical tokens joined by ' '.
// Tokens that are not lowercase ASCII (Urdu script) are returned unchanged.
// Pure, thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace nser::linkage {

// Key of one folded token (canonicalised first).
std::string romanUrduKey(std::string_view foldedToken);

// Key of an already canonical token (roman_urdu_rules output); `out` replaced.
void romanUrduKeyOfCanonical(std::string_view canonicalToken, std::string& out);

// Key of a whole name field: the name part of parsePersonName() (titles and
// any relation removed, particles joined), each canonical token keyed,
// joined by ' '.
std::string romanUrduNameKey(std::string_view rawName);

}  // namespace nser::linkage
