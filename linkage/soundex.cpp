#include "linkage/soundex.h"

namespace nser::linkage {
namespace {

// Digit per letter a..z; '0' vowels (and y), '-' for h and w (transparent).
constexpr char kCodes[] = "01230120022455012623010202";

char upperLetter(char c) {
  if (c >= 'a' && c <= 'z') return static_cast<char>(c - 32);
  return c;
}

}  // namespace

std::string soundex(std::string_view word) {
  std::string code;
  char previous = 0;
  for (char raw : word) {
    const char c = upperLetter(raw);
    if (c < 'A' || c > 'Z') continue;
    char digit = kCodes[c - 'A'];
    if (c == 'H' || c == 'W') digit = '-';
    if (code.empty()) {
      code.push_back(c);
      previous = digit;
      continue;
    }
    if (digit == '-') continue;       // H and W do not separate equal codes
    if (digit == '0') {               // vowels do separate them
      previous = '0';
      continue;
    }
    if (digit != previous) code.push_back(digit);
    previous = digit;
    if (code.size() == 4) break;
  }
  if (code.empty()) return code;
  code.resize(4, '0');
  return code;
}

}  // namespace nser::linkage
