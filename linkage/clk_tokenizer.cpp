#include "linkage/clk_tokenizer.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <stdexcept>

#include "linkage/python_number.h"
#include "linkage/utf8_codec.h"

namespace nser::linkage {

namespace {

std::int64_t powerOfTen(int exponent) {
  std::int64_t value = 1;
  for (int i = 0; i < exponent; ++i) value *= 10;
  return value;
}

// Python's round(x) for a float: nearest integer, ties to even.
double roundHalfEven(double x) { return std::nearbyint(x); }  // default FE_TONEAREST

bool fitsInt64(double x) { return x >= -9223372036854775808.0 && x < 9223372036854775808.0; }

}  // namespace

ClkTokenizer::ClkTokenizer(const Comparison& comparison, TextEncoding encoding)
    : comparison_(comparison), encoding_(encoding) {
  if (comparison.type == ComparisonType::Numeric) {
    if (comparison.fractionalPrecision < 0 || comparison.fractionalPrecision > 18) {
      throw std::invalid_argument("fractional_precision must be between 0 and 18");
    }
    const double scaled = comparison.thresholdDistance * static_cast<double>(powerOfTen(comparison.fractionalPrecision));
    const double rounded = roundHalfEven(scaled);
    if (!fitsInt64(rounded) || rounded < 0) throw std::invalid_argument("thresholdDistance is out of range");
    distanceInterval_ = static_cast<std::int64_t>(rounded);
    if (distanceInterval_ == 0) {
      throw std::invalid_argument("not enough fractional precision to encode thresholdDistance (it rounds to 0)");
    }
  }
}

void ClkTokenizer::appendByteOrderMark(std::string& out) const {
  // Python's "utf-16"/"utf-32" codecs start every encoded string with a BOM.
  if (encoding_ == TextEncoding::Utf16) {
    out += "\xFF\xFE";
  } else if (encoding_ == TextEncoding::Utf32) {
    out.append("\xFF\xFE\x00\x00", 4);
  }
}

bool ClkTokenizer::appendEncoded(std::string& out, char32_t cp) const {
  switch (encoding_) {
    case TextEncoding::Utf8: utf8::appendUtf8(out, cp); return true;
    case TextEncoding::Ascii:
      if (cp >= 0x80) return false;
      out.push_back(static_cast<char>(cp));
      return true;
    case TextEncoding::Utf16: utf8::appendUtf16Le(out, cp); return true;
    case TextEncoding::Utf32: utf8::appendUtf32Le(out, cp); return true;
  }
  return false;
}

bool ClkTokenizer::appendEncodedText(std::string& out, std::string_view text) const {
  if (encoding_ == TextEncoding::Utf8) {
    out.append(text);  // already UTF-8: copy
    return true;
  }
  appendByteOrderMark(out);
  std::size_t pos = 0;
  while (pos < text.size()) {
    if (!appendEncoded(out, utf8::decodeNext(text, pos))) return false;
  }
  return true;
}

bool ClkTokenizer::tokenize(std::string_view value, TokenList& out, std::string& reason) const {
  if (value.empty()) return true;  // clkhash: no tokens for an empty value
  switch (comparison_.type) {
    case ComparisonType::Ngram:
      return tokenizeNgrams(value, out, reason);
    case ComparisonType::Exact:
      if (!appendEncodedText(out.buffer(), value)) {
        reason = "cannot be encoded as ascii";
        return false;
      }
      out.endToken();
      return true;
    case ComparisonType::Numeric:
      return tokenizeNumeric(value, out, reason);
  }
  return false;
}

bool ClkTokenizer::tokenizeNgrams(std::string_view value, TokenList& out, std::string& reason) const {
  const auto n = static_cast<std::size_t>(comparison_.n);
  const bool byteEncoding = encoding_ == TextEncoding::Utf8 || encoding_ == TextEncoding::Ascii;
  if (byteEncoding && std::all_of(value.begin(), value.end(), [](char c) { return (c & 0x80) == 0; })) {
    // ASCII text in a one-byte-per-ASCII-character encoding: code points are
    // bytes and encode as themselves, so n-grams are byte substrings of the
    // padded text (the same bytes as the general path below).
    const std::size_t pad = n > 1 ? n - 1 : 0;
    std::string& padded = out.text();
    padded.assign(pad, ' ');
    padded.append(value);
    padded.append(pad, ' ');
    if (padded.size() < n) return true;
    // Sized once for every token (positions have at most 20 digits), then
    // written in place.
    const std::size_t count = padded.size() - n + 1;
    std::string& buffer = out.buffer();
    const std::size_t start = buffer.size();
    buffer.resize(start + count * (n + (comparison_.positional ? 21 : 0)));
    char* const base = buffer.data();
    char* next = base + start;
    for (std::size_t i = 0; i < count; ++i) {
      if (comparison_.positional) {
        next = std::to_chars(next, next + 20, i + 1).ptr;
        *next++ = ' ';
      }
      // Fixed-size copies for the usual n (inlined moves, not a library call
      // per token).
      switch (n) {
        case 1: *next = padded[i]; break;
        case 2: std::memcpy(next, padded.data() + i, 2); break;
        case 3: std::memcpy(next, padded.data() + i, 3); break;
        default: std::memcpy(next, padded.data() + i, n); break;
      }
      next += n;
      out.endTokenAt(static_cast<std::size_t>(next - base));
    }
    buffer.resize(static_cast<std::size_t>(next - base));
    return true;
  }
  std::vector<char32_t>& cps = out.codePoints();
  cps.clear();
  const std::size_t pad = n > 1 ? n - 1 : 0;
  cps.insert(cps.end(), pad, U' ');
  std::size_t pos = 0;
  while (pos < value.size()) cps.push_back(utf8::decodeNext(value, pos));
  cps.insert(cps.end(), pad, U' ');
  if (cps.size() < n) return true;
  std::string& buffer = out.buffer();
  char position[24];
  for (std::size_t i = 0; i + n <= cps.size(); ++i) {
    appendByteOrderMark(buffer);
    if (comparison_.positional) {
      // "{i+1} {gram}": the prefix is ASCII digits and a space.
      // (std::to_chars, not snprintf: this runs for every token of every record.)
      char* end = std::to_chars(position, position + sizeof(position) - 1, i + 1).ptr;
      *end++ = ' ';
      for (const char* c = position; c != end; ++c) appendEncoded(buffer, static_cast<char32_t>(*c));
    }
    for (std::size_t j = i; j < i + n; ++j) {
      if (!appendEncoded(buffer, cps[j])) {
        reason = "cannot be encoded as ascii";
        return false;
      }
    }
    out.endToken();
  }
  return true;
}

bool ClkTokenizer::tokenizeNumeric(std::string_view value, TokenList& out, std::string& reason) const {
  const int precision = comparison_.fractionalPrecision;
  const std::int64_t scale = powerOfTen(precision);
  std::int64_t v = 0;
  const ParsedInteger asInt = parsePythonInt(value);
  if (asInt.status == NumberStatus::Ok) {
    if (__builtin_mul_overflow(asInt.value, scale, &v)) {
      reason = "is a number outside the supported range";
      return false;
    }
  } else if (asInt.status == NumberStatus::OutOfRange) {
    reason = "is a number outside the supported range";
    return false;
  } else {
    const ParsedFloat asFloat = parsePythonFloat(value);
    if (asFloat.status != NumberStatus::Ok) {
      reason = "is not a number";
      return false;
    }
    // clkhash: int(round(x * 10**p)) when p > 0, else int(x) (truncation).
    const double x = precision > 0 ? roundHalfEven(asFloat.value * static_cast<double>(scale)) : std::trunc(asFloat.value);
    if (!std::isfinite(x) || !fitsInt64(x)) {
      reason = "is a number outside the supported range";
      return false;
    }
    v = static_cast<std::int64_t>(x);
  }
  const std::int64_t resolution = comparison_.resolution;
  if (__builtin_mul_overflow(v, 2 * resolution, &v)) {
    reason = "is a number outside the supported range";
    return false;
  }
  const std::int64_t d = distanceInterval_;
  std::int64_t residue = v % d;
  if (residue < 0) residue += d;  // Python's % is a floor modulo
  if (residue != 0) {
    // clkhash: residue < d / 2 (true division) rounds down, otherwise up.
    const bool down = residue < d - residue;  // 2*residue < d without overflow
    if (__builtin_add_overflow(v, down ? -residue : d - residue, &v)) {
      reason = "is a number outside the supported range";
      return false;
    }
  }
  std::string& buffer = out.buffer();
  char digits[32];
  for (std::int64_t i = -resolution; i <= resolution; ++i) {
    std::int64_t token = 0;
    std::int64_t offset = 0;
    if (__builtin_mul_overflow(i, d, &offset) || __builtin_add_overflow(v, offset, &token)) {
      reason = "is a number outside the supported range";
      return false;
    }
    const int length = std::snprintf(digits, sizeof(digits), "%lld", static_cast<long long>(token));
    appendByteOrderMark(buffer);
    for (int c = 0; c < length; ++c) appendEncoded(buffer, static_cast<char32_t>(digits[c]));
    out.endToken();
  }
  return true;
}

}  // namespace nser::linkage
