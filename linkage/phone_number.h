// Pakistani phone numbers, canonicalised for matching: formatting removed and
// the international forms (+92 / 0092 / 92) rewritten to the national trunk
// form, so "+92 300 1234567", "0092-300-1234567" and "0300-1234567" all give
// "03001234567". Numbers that do not look like a Pakistani number after that
// (fewer than 10 or more than 11 digits) are flagged, and returned as their
// digits only. Pure and thread-safe; does not throw.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace nser::linkage {

enum PhoneFlag : std::uint32_t {
  kPhoneMissing = 1u << 0,
  kPhoneNonDigit = 1u << 1,    // a letter or symbol other than + - ( ) . space
  kPhoneBadLength = 1u << 2,   // not 10-11 digits in national form
};

struct PhoneNumber {
  std::string digits;  // national form, e.g. "03001234567"
  std::uint32_t flags = 0;
  bool usable() const { return (flags & (kPhoneMissing | kPhoneNonDigit | kPhoneBadLength)) == 0; }
};

PhoneNumber canonicalisePhone(std::string_view raw);

}  // namespace nser::linkage
