// CNIC (and B-form / CRC, same format) canonicalisation and validation.
//
// A CNIC is 13 digits, written XXXXX-XXXXXXX-X. Digit 1 is the province
// (1 Khyber Pakhtunkhwa, 2 former FATA, 3 Punjab, 4 Sindh, 5 Balochistan,
// 6 Islamabad, 7 Gilgit-Baltistan); the last digit is odd for men and even
// for women. There is no public check digit.
//
// canonicaliseCnic() removes formatting only: ASCII/Unicode dashes, spaces,
// dots and one leading apostrophe (a spreadsheet text marker), and reads
// Arabic-Indic / Urdu (Extended Arabic-Indic) digits as ASCII digits. Every
// other problem is FLAGGED, never repaired: a wrong length, a letter, an
// unknown province digit, a gender digit that disagrees with the stated gender,
// a placeholder such as 0000000000000. `digits` holds the digits found (even
// when the count is wrong) so callers can build typo-tolerant tokens; it is a
// usable identifier only when `wellFormed()`.
// `reason` describes the flags in words and never contains the number.
// Pure and thread-safe; does not throw.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "linkage/gender.h"

namespace nser::linkage {

enum CnicFlag : std::uint32_t {
  kCnicMissing = 1u << 0,            // empty field
  kCnicNonDigit = 1u << 1,           // a character that is neither digit nor separator
  kCnicBadLength = 1u << 2,          // not exactly 13 digits
  kCnicUnknownProvince = 1u << 3,    // first digit is 0, 8 or 9
  kCnicGenderMismatch = 1u << 4,     // last digit parity disagrees with the stated gender
  kCnicPlaceholder = 1u << 5,        // all digits equal, or 1234567890123-like runs
  kCnicUnusualGrouping = 1u << 6,    // separators present but not as 5-7-1
};

// Flags that make the value unusable as an identifier.
constexpr std::uint32_t kCnicUnusableFlags =
    kCnicMissing | kCnicNonDigit | kCnicBadLength | kCnicPlaceholder;

enum class Province : unsigned char {
  unknown = 0,
  khyber_pakhtunkhwa = 1,
  fata = 2,
  punjab = 3,
  sindh = 4,
  balochistan = 5,
  islamabad = 6,
  gilgit_baltistan = 7,
};

struct CnicResult {
  std::string digits;                         // digits only, formatting removed
  std::uint32_t flags = 0;                    // CnicFlag bits
  Province province = Province::unknown;      // from digit 1 when known
  Gender genderFromDigit = Gender::unknown;   // from the last digit parity (13 digits only)
  std::string reason;                         // empty when flags == 0

  bool wellFormed() const { return (flags & kCnicUnusableFlags) == 0; }
};

// `statedGender` is the record's gender; Gender::unknown/other skip that check.
CnicResult canonicaliseCnic(std::string_view raw, Gender statedGender = Gender::unknown);

// "XXXXX-XXXXXXX-X" for 13 digits; other inputs are returned unchanged.
std::string formatCnic(std::string_view digits);

std::string_view provinceName(Province province);

// Words for the flag bits, e.g. "13 digits expected; gender digit ...".
std::string describeCnicFlags(std::uint32_t flags);

}  // namespace nser::linkage
