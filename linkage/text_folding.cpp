#include "linkage/text_folding.h"

#include <array>

#include "linkage/utf8_codec.h"

namespace nser::linkage {
namespace {

// ASCII folding of Latin letters with diacritics, derived once from the
// Unicode NFKD decompositions (base letter, combining marks dropped) plus the
// usual transliterations of letters without a decomposition (æ ae, ß ss,
// ø o, ł l, þ th, đ d). Indexed by code point minus the range start.
// U+00C0..U+024F; "" = no ASCII folding (kept as is).
constexpr std::array<std::string_view, 400> kLatin1AndExtended = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",
    "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",
    "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",
    "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",
    "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",
    "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
    "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",
    "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",
    "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",
    "b", "b", "", "", "", "", "", "c", "c", "", "d", "d", "d", "", "", "",
    "", "f", "f", "g", "", "", "", "i", "", "", "l", "", "", "n", "n", "o",
    "o", "o", "", "", "p", "p", "", "", "", "", "", "t", "t", "t", "t", "u",
    "u", "", "v", "y", "y", "z", "z", "", "", "", "", "", "", "", "", "",
    "", "", "", "", "dz", "dz", "dz", "lj", "lj", "lj", "nj", "nj", "nj", "a", "a", "i",
    "i", "o", "o", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u", "", "a", "a",
    "a", "a", "ae", "ae", "g", "g", "g", "g", "k", "k", "o", "o", "o", "o", "", "",
    "j", "dz", "dz", "dz", "g", "g", "", "", "n", "n", "a", "a", "ae", "ae", "o", "o",
    "a", "a", "a", "a", "e", "e", "e", "e", "i", "i", "i", "i", "o", "o", "o", "o",
    "r", "r", "r", "r", "u", "u", "u", "u", "s", "s", "t", "t", "", "", "h", "h",
    "", "d", "", "", "z", "z", "a", "a", "e", "e", "o", "o", "o", "o", "o", "o",
    "o", "o", "y", "y", "l", "n", "t", "j", "", "", "a", "c", "c", "l", "t", "s",
    "z", "", "", "b", "u", "", "e", "e", "j", "j", "q", "q", "r", "r", "y", "y",
};
// U+1E00..U+1EFF; "" = no ASCII folding (kept as is).
constexpr std::array<std::string_view, 256> kLatinExtendedAdditional = {
    "a", "a", "b", "b", "b", "b", "b", "b", "c", "c", "d", "d", "d", "d", "d", "d",
    "d", "d", "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "f", "f",
    "g", "g", "h", "h", "h", "h", "h", "h", "h", "h", "h", "h", "i", "i", "i", "i",
    "k", "k", "k", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l", "l", "m", "m",
    "m", "m", "m", "m", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",
    "o", "o", "o", "o", "p", "p", "p", "p", "r", "r", "r", "r", "r", "r", "r", "r",
    "s", "s", "s", "s", "s", "s", "s", "s", "s", "s", "t", "t", "t", "t", "t", "t",
    "t", "t", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u", "v", "v", "v", "v",
    "w", "w", "w", "w", "w", "w", "w", "w", "w", "w", "x", "x", "x", "x", "y", "y",
    "z", "z", "z", "z", "z", "z", "h", "t", "w", "y", "a", "s", "s", "s", "ss", "d",
    "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a", "a",
    "a", "a", "a", "a", "a", "a", "a", "a", "e", "e", "e", "e", "e", "e", "e", "e",
    "e", "e", "e", "e", "e", "e", "e", "e", "i", "i", "i", "i", "o", "o", "o", "o",
    "o", "o", "o", "o", "o", "o", "o", "o", "o", "o", "o", "o", "o", "o", "o", "o",
    "o", "o", "o", "o", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u", "u",
    "u", "u", "y", "y", "y", "y", "y", "y", "y", "y", "", "", "", "", "", "",
};

// Decodes one UTF-8 sequence at `s[i]`. Returns the code point and sets
// `length`; returns U+FFFFFFFF with length 1 for any invalid sequence
// (overlong forms, surrogates and values above U+10FFFF included).
constexpr char32_t kInvalid = 0xFFFFFFFF;
char32_t decodeUtf8(std::string_view s, std::size_t i, std::size_t& length) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  length = 1;
  std::size_t need = 0;
  char32_t cp = 0;
  char32_t minimum = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    need = 1; cp = b0 & 0x1F; minimum = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    need = 2; cp = b0 & 0x0F; minimum = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    need = 3; cp = b0 & 0x07; minimum = 0x10000;
  } else {
    return kInvalid;
  }
  if (i + need >= s.size()) return kInvalid;  // truncated at the end of input
  for (std::size_t k = 1; k <= need; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return kInvalid;
    cp = (cp << 6) | (b & 0x3F);
  }
  if (cp < minimum || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return kInvalid;
  length = need + 1;
  return cp;
}

enum class Class { separator, drop, keep, lowered, folded };

bool isArabicScript(char32_t cp) {
  return (cp >= 0x0600 && cp <= 0x06FF) || (cp >= 0x0750 && cp <= 0x077F) ||
         (cp >= 0x08A0 && cp <= 0x08FF) || (cp >= 0xFB50 && cp <= 0xFDFF) ||
         (cp >= 0xFE70 && cp <= 0xFEFF);
}

// Arabic-script characters that are not letters for matching purposes.
bool isArabicDroppable(char32_t cp) {
  return (cp >= 0x0610 && cp <= 0x061A) || (cp >= 0x064B && cp <= 0x065F) || cp == 0x0670 ||
         cp == 0x0640 /* tatweel */ || (cp >= 0x06D6 && cp <= 0x06ED);
}

bool isArabicSeparator(char32_t cp) {
  return cp == 0x060C || cp == 0x061B || cp == 0x061F || cp == 0x06D4 || cp == 0x066A ||
         cp == 0x066B || cp == 0x066C || cp == 0x066D || cp == 0xFD3E || cp == 0xFD3F;
}

bool isApostropheLike(char32_t cp) {
  return cp == '\'' || cp == '`' || cp == 0x2018 || cp == 0x2019 || cp == 0x02BC ||
         cp == 0x02BE || cp == 0x02BF || cp == 0x02B9 || cp == 0x00B4;
}

}  // namespace

std::uint32_t foldText(std::string_view input, std::string& out) {
  out.clear();
  out.reserve(input.size());
  std::uint32_t flags = 0;
  bool pendingSpace = false;
  auto separator = [&] { pendingSpace = !out.empty(); };
  auto beforeEmit = [&] {
    if (pendingSpace) {
      out.push_back(' ');
      pendingSpace = false;
    }
  };

  std::size_t i = 0;
  while (i < input.size()) {
    const auto byte = static_cast<unsigned char>(input[i]);
    // ASCII fast path: the overwhelming majority of Roman-script fields.
    if (byte < 0x80) {
      ++i;
      if (byte >= 'A' && byte <= 'Z') {
        beforeEmit();
        out.push_back(static_cast<char>(byte + ('a' - 'A')));
      } else if ((byte >= 'a' && byte <= 'z')) {
        beforeEmit();
        out.push_back(static_cast<char>(byte));
      } else if (byte >= '0' && byte <= '9') {
        beforeEmit();
        out.push_back(static_cast<char>(byte));
        flags |= kFoldHadDigits;
      } else if (byte == '\'' || byte == '`') {
        // dropped: "Ma'ruf" and "Maruf" are one spelling
      } else {
        separator();
      }
      continue;
    }

    std::size_t length = 1;
    const char32_t cp = decodeUtf8(input, i, length);
    i += length;
    if (cp == kInvalid) {
      flags |= kFoldInvalidUtf8;
      separator();
      continue;
    }
    // A Latin letter with a folding-table entry: its ASCII folding, or the
    // letter itself when the table has none.
    std::string_view ascii;
    bool inFoldingTable = false;
    if (cp >= 0xC0 && cp < 0x250 && cp != 0xD7 && cp != 0xF7) {
      ascii = kLatin1AndExtended[cp - 0xC0];
      inFoldingTable = true;
    } else if (cp >= 0x1E00 && cp < 0x1F00) {
      ascii = kLatinExtendedAdditional[cp - 0x1E00];
      inFoldingTable = true;
    }
    if (inFoldingTable) {
      beforeEmit();
      if (ascii.empty()) {
        utf8::appendUtf8(out, cp);
      } else {
        out.append(ascii);
        flags |= kFoldDiacriticsRemoved;
      }
      continue;
    }
    if (isApostropheLike(cp) || cp == 0x200C || cp == 0x200D || cp == 0xFEFF || cp == 0x00AD ||
        (cp >= 0x0300 && cp <= 0x036F)) {
      // apostrophes, ZWNJ/ZWJ, BOM, soft hyphen, stray combining marks: dropped
      continue;
    }
    if (isArabicScript(cp)) {
      if (isArabicDroppable(cp)) continue;
      if (isArabicSeparator(cp)) {
        separator();
        continue;
      }
      beforeEmit();
      utf8::appendUtf8(out, cp);
      flags |= kFoldNonLatinScript;
      continue;
    }
    if (cp < 0xC0 || (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x3000 && cp <= 0x303F) ||
        (cp >= 0x2100 && cp <= 0x2BFF) || cp == 0xD7 || cp == 0xF7 || cp == 0xFFFD ||
        (cp >= 0xFE10 && cp <= 0xFE6F) || (cp >= 0xFF00 && cp <= 0xFF0F)) {
      // C1 controls, Latin-1 punctuation/symbols, general punctuation,
      // spaces, arrows/maths/symbols, CJK punctuation, the replacement char.
      separator();
      continue;
    }
    char32_t lowered = cp;
    if (cp >= 0x0391 && cp <= 0x03A9 && cp != 0x03A2) lowered = cp + 0x20;  // Greek
    else if (cp >= 0x0410 && cp <= 0x042F) lowered = cp + 0x20;           // Cyrillic
    else if (cp >= 0x0400 && cp <= 0x040F) lowered = cp + 0x50;
    beforeEmit();
    utf8::appendUtf8(out, lowered);
    flags |= kFoldNonLatinScript;
  }
  return flags;
}

std::string foldText(std::string_view input) {
  std::string out;
  foldText(input, out);
  return out;
}

std::string describeFoldFlags(std::uint32_t flags) {
  std::string text;
  auto add = [&](std::uint32_t bit, std::string_view what) {
    if ((flags & bit) == 0) return;
    if (!text.empty()) text += "; ";
    text += what;
  };
  add(kFoldInvalidUtf8, "invalid UTF-8 replaced by a separator");
  add(kFoldNonLatinScript, "contains non-Latin script");
  add(kFoldDiacriticsRemoved, "diacritics folded to ASCII");
  add(kFoldHadDigits, "contains digits");
  return text;
}

}  // namespace nser::linkage
