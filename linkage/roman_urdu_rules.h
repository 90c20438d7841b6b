// Roman-Urdu spelling canonicalisation: maps the many Roman spellings of one
// Urdu/Arabic/Punjabi/Sindhi/Pashto name to one canonical form FOR MATCHING
// (not for display: "Muhammad" becomes "muhamad").
//
// The rules are data (tables in roman_urdu_rules.cpp, documented with
// examples and ordering in docs/roman-urdu-normalisation.md):
//   1. particles (sequence level, on folded tokens, titles already removed):
//      the "Abd" prefix in all its forms (Abdul/Abdur/Abdus/Abd-ul/Abd ul/
//      Abdurrahman...) becomes "abdul" joined to the next name; infix
//      particles (ul/ur/us/uz/ud/un/ut/ush/al + next token, "Zia ud Din",
//      "Habib ur Rehman") join the tokens around them with "ul"; the izafat
//      "e" joins its two names directly ("Noor-e-Jahan" = "Noorjahan");
//      compound first elements (Allah, Ghulam, Khuda) join the
//      next name, and a joined spelling is split the same way, both giving
//      canon(first) + canon(rest) ("Allah Ditta" = "Allahditta"); joined
//      compounds ("Ziauddin", "Habiburrehman", "Ahsanullah") are split on
//      a known second element and rebuilt the same way; a separate
//      "Ullah"/"Uddin" token joins the token before it; a leading single "m"
//      initial followed by more names is "muhammad".
//   2. per-token spelling rules, one left-to-right pass, first matching rule
//      wins at each position, output not rescanned:
//      ph>f dh>z zh>z ck>k q>k w>v iya>ia aa>a ee>i oo>u ou>u ei>ai eh>ah
//   3. doubled letters collapse (after 2, so "qq" and "ww" collapse too).
//   4. word-final "ah" > "a".
//   5. whole-token lexicon of variants rules 2-4 cannot reach (the
//      Muhammad family, Ahmed/Ahmad, Zaineb/Zainab, Yousaf/Yusuf, ...).
//      Lexicon keys and values are written as ordinary spellings and are
//      themselves passed through rules 2-4 once, when the table is built, so
//      a variant is recognised whatever other rule-covered spelling it uses.
// Input tokens must be foldText() output (lowercase ASCII for Roman
// script); tokens containing anything but a-z are returned unchanged.
// Thread-safe (tables are built once, on first use); no regex.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nser::linkage {

// One spelling rule of step 2 (or 4, when `wordEndOnly`).
struct SpellingRule {
  std::string_view from;
  std::string_view to;
  bool wordEndOnly;
  std::string_view example;  // documentation and tests: "Farooq > farook"
};

// One lexicon entry of step 5: an ordinary spelling and its canonical spelling.
struct LexiconEntry {
  std::string_view variant;
  std::string_view canonical;
};

std::span<const SpellingRule> spellingRules();  // steps 2 and 4, in priority order
std::span<const LexiconEntry> nameLexicon();    // step 5

// Steps 2-5 on one folded token; `out` is replaced.
void canonicaliseToken(std::string_view foldedToken, std::string& out);
std::string canonicaliseToken(std::string_view foldedToken);

// Steps 1-5 on the folded tokens of one name (titles removed): returns the
// canonical tokens (compounds joined, so the count may shrink).
std::vector<std::string> canonicaliseNameTokens(std::span<const std::string_view> foldedTokens);

}  // namespace nser::linkage
