// Number parsing with the exact acceptance rules of Python's int(s, 10) and
// float(s), which clkhash applies to integer features and numeric
// comparisons. Accepted, as in Python: surrounding Unicode whitespace, a sign,
// single underscores between digits ("1_000"), any Unicode decimal digits
// (e.g. Urdu/Persian "۱۲۳" = 123); for float also ".5", "5.", exponents,
// "inf"/"infinity"/"nan" in any case. Rejected: empty text, inner spaces,
// hex, "nan(...)" and anything else Python rejects.
//
// Integers are limited to int64 (Python's are unbounded): a larger value is
// reported as OutOfRange, never wrapped.
//
// Pure functions; thread-safe; never throw.
#pragma once

#include <cstdint>
#include <string_view>

namespace nser::linkage {

enum class NumberStatus { Ok, Invalid, OutOfRange };

struct ParsedInteger {
  NumberStatus status = NumberStatus::Invalid;
  std::int64_t value = 0;
};

struct ParsedFloat {
  NumberStatus status = NumberStatus::Invalid;
  double value = 0;
};

// Python int(text, 10). `text` must be valid UTF-8.
ParsedInteger parsePythonInt(std::string_view text);
// Python float(text). `text` must be valid UTF-8. Overflow gives ±inf as in
// Python ("1e999" -> inf), so status is Ok or Invalid.
ParsedFloat parsePythonFloat(std::string_view text);

}  // namespace nser::linkage
