// Dates of birth with partial precision, as found in registry and programme
// data: full dates in several layouts, month-year, year-only, dates derived
// from a stated age. Problems are reported as flags (plus a reason in words),
// never repaired silently.
//
// Accepted layouts (separators - / . space and comma are interchangeable;
// a time part after the date, e.g. "1985-03-12T00:00:00", is ignored):
//   full:       YYYY-MM-DD, YYYYMMDD, DD/MM/YYYY, D.M.YYYY, DD/MM/YY,
//               "12 Mar 1985", "12-March-1985", "Mar 12, 1985", "1985 Mar 12"
//   month-year: YYYY-MM, MM/YYYY, "Mar 1985", "March-1985", "1985 Mar"
//   year-only:  YYYY
//   zero parts: "00/03/1985" is month-year, "00/00/1985" and
//               "1985-00-00" are year-only; "", "0000-00-00", "NA",
//               "N/A", "unknown", "nil", "-" are missing.
// Numeric day/month order is Pakistani (day first). When the day position
// holds 13-31 and the month position 1-12 the date is read month-first and
// flagged kDateReadAsMonthDay; when both are 1-12 and differ it is read
// day-first and flagged kDateAmbiguousDayMonth (see swapAlternatives()).
// Two-digit years pivot on the reference year (or 2030 without one).
// Pure and thread-safe; does not throw.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace nser::linkage {

enum class DatePrecision : unsigned char { none = 0, year = 1, month = 2, day = 3 };

enum DateFlag : std::uint32_t {
  kDateMissing = 1u << 0,            // empty or an explicit "unknown"
  kDateUnparsed = 1u << 1,           // not in any accepted layout
  kDateLikelyDefaulted = 1u << 2,    // 1 January: often a default for "year only"
  kDateImplausible = 1u << 3,        // before minYear, after the reference date, or age > maxAge
  kDateInvalidDay = 1u << 4,         // day does not exist in that month; precision cut to month
  kDateAmbiguousDayMonth = 1u << 5,  // both day and month <= 12 and differ
  kDateReadAsMonthDay = 1u << 6,     // day position > 12: read as month/day
  kDateTwoDigitYear = 1u << 7,       // century was inferred
  kDateDerivedFromAge = 1u << 8,     // from dateFromAge(): the true year may be one earlier
  kDateInvalidMonth = 1u << 9,       // month outside 1-12 in every reading
};

struct CivilDate {
  int year = 0;
  int month = 0;
  int day = 0;
};

struct PartialDate {
  int year = 0;   // 0 when precision is none
  int month = 0;  // 0 unless precision >= month
  int day = 0;    // 0 unless precision == day
  DatePrecision precision = DatePrecision::none;
  std::uint32_t flags = 0;  // DateFlag bits
  std::string reason;       // words for `flags`, empty when flags == 0

  bool operator==(const PartialDate& other) const {
    return year == other.year && month == other.month && day == other.day &&
           precision == other.precision;
  }
};

struct DateParseOptions {
  CivilDate reference{};  // "today" for plausibility; year 0 disables future/age checks
  int minYear = 1900;
  int maxAgeYears = 120;
};

PartialDate parsePartialDate(std::string_view raw, const DateParseOptions& options = {});

// Other readings of the same text worth trying when matching: the day/month
// swap of a full date whose day is <= 12 and differs from the month (and is
// a valid date). Empty when there is none.
std::vector<PartialDate> swapAlternatives(const PartialDate& date);

// Year-only date of birth from an age stated on `reference`: year =
// reference.year - age, flagged kDateDerivedFromAge (the person may have
// been born one year earlier). Negative or > maxAgeYears ages give
// precision none with kDateImplausible.
PartialDate dateFromAge(int ageYears, const CivilDate& reference, int maxAgeYears = 120);

// "1985", "1985-03" or "1985-03-12"; "" for precision none.
std::string formatPartialDate(const PartialDate& date);

int daysInMonth(int year, int month);

std::string describeDateFlags(std::uint32_t flags);

}  // namespace nser::linkage
