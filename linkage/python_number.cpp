#include "linkage/python_number.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <string>

#include "linkage/utf8_codec.h"

namespace nser::linkage {

namespace {

// Python first maps Unicode decimal digits to ASCII and strips surrounding
// whitespace (_PyUnicode_TransformDecimalAndSpaceToASCII + strip). Any other
// non-ASCII character makes the text invalid.
bool toAsciiNumberText(std::string_view text, std::string& out) {
  out.clear();
  std::size_t pos = 0;
  std::size_t lastNonSpace = 0;
  bool seenNonSpace = false;
  while (pos < text.size()) {
    const char32_t cp = utf8::decodeNext(text, pos);
    if (cp == utf8::kInvalid) return false;
    if (utf8::isPythonWhitespace(cp)) {
      if (seenNonSpace) out.push_back(' ');  // kept only to detect inner spaces
      continue;
    }
    seenNonSpace = true;
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else {
      const int digit = utf8::decimalDigitValue(cp);
      if (digit < 0) return false;
      out.push_back(static_cast<char>('0' + digit));
    }
    lastNonSpace = out.size();
  }
  out.resize(lastNonSpace);
  return !out.empty();
}

bool isDigit(char c) { return c >= '0' && c <= '9'; }

// Removes underscores, each of which must sit between two digits.
bool removeUnderscores(std::string& text) {
  std::string result;
  result.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '_') {
      if (i == 0 || i + 1 >= text.size() || !isDigit(text[i - 1]) || !isDigit(text[i + 1])) return false;
      continue;
    }
    result.push_back(text[i]);
  }
  text = std::move(result);
  return true;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) != b[i]) return false;
  }
  return true;
}

}  // namespace

ParsedInteger parsePythonInt(std::string_view text) {
  std::string ascii;
  if (!toAsciiNumberText(text, ascii) || !removeUnderscores(ascii)) return {};
  std::size_t start = 0;
  bool negative = false;
  if (ascii[0] == '+' || ascii[0] == '-') {
    negative = ascii[0] == '-';
    start = 1;
  }
  if (start >= ascii.size()) return {};
  // Accumulate as a negative number so INT64_MIN is representable.
  std::int64_t value = 0;
  for (std::size_t i = start; i < ascii.size(); ++i) {
    if (!isDigit(ascii[i])) return {};
    const int digit = ascii[i] - '0';
    if (value < (std::numeric_limits<std::int64_t>::min() + digit) / 10) {
      // Keep scanning so "12x" with a huge prefix is still Invalid, not OutOfRange.
      for (std::size_t j = i; j < ascii.size(); ++j) {
        if (!isDigit(ascii[j])) return {};
      }
      return {NumberStatus::OutOfRange, 0};
    }
    value = value * 10 - digit;
  }
  if (!negative) {
    if (value == std::numeric_limits<std::int64_t>::min()) return {NumberStatus::OutOfRange, 0};
    value = -value;
  }
  return {NumberStatus::Ok, value};
}

ParsedFloat parsePythonFloat(std::string_view text) {
  std::string ascii;
  if (!toAsciiNumberText(text, ascii) || !removeUnderscores(ascii)) return {};
  std::size_t start = 0;
  bool negative = false;
  if (ascii[0] == '+' || ascii[0] == '-') {
    negative = ascii[0] == '-';
    start = 1;
  }
  const std::string_view body = std::string_view(ascii).substr(start);
  if (body.empty()) return {};
  if (equalsIgnoreCase(body, "inf") || equalsIgnoreCase(body, "infinity")) {
    const double inf = std::numeric_limits<double>::infinity();
    return {NumberStatus::Ok, negative ? -inf : inf};
  }
  if (equalsIgnoreCase(body, "nan")) return {NumberStatus::Ok, std::numeric_limits<double>::quiet_NaN()};
  // Python's grammar: digits [. [digits]] | . digits, then an optional exponent.
  std::size_t i = 0;
  std::size_t mantissaDigits = 0;
  while (i < body.size() && isDigit(body[i])) ++i, ++mantissaDigits;
  if (i < body.size() && body[i] == '.') {
    ++i;
    while (i < body.size() && isDigit(body[i])) ++i, ++mantissaDigits;
  }
  if (mantissaDigits == 0) return {};
  if (i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
    ++i;
    if (i < body.size() && (body[i] == '+' || body[i] == '-')) ++i;
    std::size_t exponentDigits = 0;
    while (i < body.size() && isDigit(body[i])) ++i, ++exponentDigits;
    if (exponentDigits == 0) return {};
  }
  if (i != body.size()) return {};
  double value = 0;
  const auto [end, error] = std::from_chars(body.data(), body.data() + body.size(), value);
  if (end != body.data() + body.size()) return {};
  if (error == std::errc::result_out_of_range) {
    // from_chars leaves the value unspecified; strtod gives what Python gives
    // (inf on overflow, 0 or a denormal on underflow). The text is plain
    // ASCII digits here, so the locale's decimal point is the only risk and
    // the project never changes the C locale.
    value = std::strtod(std::string(body).c_str(), nullptr);
  }
  return {NumberStatus::Ok, negative ? -value : value};
}

}  // namespace nser::linkage
