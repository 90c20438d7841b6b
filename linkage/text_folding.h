// Text folding: the first step of every name, relation-name and free-text
// normalisation. Turns a raw UTF-8 field into a lowercase, single-spaced
// string of tokens so that later rules (Roman-Urdu canonicalisation,
// honorifics, relation parsing) see one spelling of the same characters.
//
// Contract of foldText():
//  - ASCII letters are lowercased; digits are kept.
//  - Latin letters with diacritics (Latin-1 Supplement, Latin Extended-A/B,
//    Latin Extended Additional, e.g. "é", "ā", "ṣ", "ḥ") fold to their ASCII
//    base letter(s) ("æ" -> "ae", "ß" -> "ss"); flag kFoldDiacriticsRemoved.
//  - Apostrophes and transliteration marks for ayn/hamza (' ’ ʼ ʾ ʿ `) are
//    removed without splitting ("Ma'ruf" -> "maruf"); all other punctuation,
//    symbols and control characters become a token separator.
//  - Unicode whitespace (NBSP, thin spaces, ideographic space...) separates.
//  - Arabic-script text (Urdu, Sindhi, Pashto) passes through unchanged apart
//    from: harakat/diacritics, tatweel and zero-width (non-)joiners are
//    removed, Arabic punctuation separates; flag kFoldNonLatinScript.
//    Greek and Cyrillic capitals are lowercased; other scripts pass through.
//  - Invalid UTF-8 (bad lead byte, truncated or overlong sequence, surrogate,
//    code point > U+10FFFF) is never copied: each bad byte acts as a token
//    separator and kFoldInvalidUtf8 is set, so the caller can quarantine or
//    flag the record. The output is therefore always valid UTF-8.
//  - Runs of separators collapse to one ASCII space; no leading/trailing space.
// Pure function, thread-safe, no allocation beyond growing `out`.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nser::linkage {

enum FoldFlag : std::uint32_t {
  kFoldInvalidUtf8 = 1u << 0,        // invalid bytes were replaced by separators
  kFoldNonLatinScript = 1u << 1,     // letters outside the Latin script were kept
  kFoldDiacriticsRemoved = 1u << 2,  // accented Latin letters were folded to ASCII
  kFoldHadDigits = 1u << 3,          // the folded text contains an ASCII digit
};

// Folds `input` into `out` (replaced, capacity reused). Returns FoldFlag bits.
std::uint32_t foldText(std::string_view input, std::string& out);

// Convenience form; flags are discarded.
std::string foldText(std::string_view input);

// Human-readable description of FoldFlag bits, e.g. "invalid UTF-8 replaced".
std::string describeFoldFlags(std::uint32_t flags);

// Splits folded text (single spaces, as produced by foldText) into tokens.
// The views point into `folded`.
template <typename Out>
void splitFoldedTokens(std::string_view folded, Out&& emit) {
  std::size_t start = 0;
  while (start < folded.size()) {
    std::size_t end = folded.find(' ', start);
    if (end == std::string_view::npos) end = folded.size();
    if (end > start) emit(folded.substr(start, end - start));
    start = end + 1;
  }
}

}  // namespace nser::linkage
