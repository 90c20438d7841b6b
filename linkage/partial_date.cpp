#include "linkage/partial_date.h"

#include <array>
#include <cstdio>

namespace nser::linkage {
namespace {

struct Part {
  std::string_view text;
  bool numeric = false;
  int value = 0;  // numeric value, or month number for a month name (0 = not a month)
};

constexpr std::size_t kMaxParts = 4;

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool equalsFolded(std::string_view text, std::string_view lowerWord) {
  if (text.size() != lowerWord.size()) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (lower(text[i]) != lowerWord[i]) return false;
  }
  return true;
}

int monthFromName(std::string_view word) {
  static constexpr std::array<std::string_view, 12> kShort = {
      "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"};
  static constexpr std::array<std::string_view, 12> kLong = {
      "january", "february", "march",     "april",   "may",      "june",
      "july",    "august",   "september", "october", "november", "december"};
  for (int m = 0; m < 12; ++m) {
    if (equalsFolded(word, kShort[m]) || equalsFolded(word, kLong[m])) return m + 1;
  }
  if (equalsFolded(word, "sept")) return 9;
  return 0;
}

bool isMissingMarker(std::string_view text) {
  static constexpr std::array<std::string_view, 9> kMarkers = {
      "na", "n/a", "unknown", "nil", "-", "none", "null", "0000-00-00", "00/00/0000"};
  for (std::string_view marker : kMarkers) {
    if (equalsFolded(text, marker)) return true;
  }
  return false;
}

bool isLeap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int twoDigitYear(int yy, const DateParseOptions& options) {
  const int pivot = options.reference.year > 0 ? options.reference.year % 100 : 30;
  const int century = options.reference.year > 0 ? (options.reference.year / 100) * 100 : 2000;
  return yy <= pivot ? century + yy : century - 100 + yy;
}

// Fills `date` from year/month/day (0 = unknown part) and checks it.
void assemble(PartialDate& date, int year, int month, int day) {
  date.year = year;
  if (month == 0) {
    date.precision = DatePrecision::year;
    return;
  }
  if (month < 1 || month > 12) {
    date.flags |= kDateInvalidMonth;
    date.precision = DatePrecision::year;
    return;
  }
  date.month = month;
  if (day == 0) {
    date.precision = DatePrecision::month;
    return;
  }
  if (day < 1 || day > daysInMonth(year, month)) {
    date.flags |= kDateInvalidDay;
    date.precision = DatePrecision::month;
    return;
  }
  date.day = day;
  date.precision = DatePrecision::day;
}

// Numeric day and month in Pakistani order (day first), with the swap rules.
void assembleDayMonth(PartialDate& date, int year, int first, int second) {
  int day = first;
  int month = second;
  if (first == 0 || second == 0) {
    // a zero part is "unknown", never a reason to swap
  } else if (second > 12 && first <= 12) {
    day = second;
    month = first;
    date.flags |= kDateReadAsMonthDay;
  } else if (first <= 12 && second <= 12 && first != second) {
    date.flags |= kDateAmbiguousDayMonth;
  }
  if (month == 0) day = 0;
  assemble(date, year, month, day);
}

void assembleYearFirst(PartialDate& date, int year, int month, int day) {
  if (month > 12 && day >= 1 && day <= 12) {
    std::swap(month, day);
    date.flags |= kDateReadAsMonthDay;
  }
  if (month == 0) day = 0;
  assemble(date, year, month, day);
}

bool parseParts(const std::array<Part, kMaxParts>& parts, std::size_t count, PartialDate& date,
                const DateParseOptions& options) {
  auto isYear = [](const Part& p) { return p.numeric && p.text.size() == 4; };
  auto isSmall = [](const Part& p) { return p.numeric && p.text.size() <= 2; };
  auto isMonthName = [](const Part& p) { return !p.numeric && p.value > 0; };

  if (count == 1) {
    const Part& p = parts[0];
    if (isYear(p)) {
      if (p.value == 0) return false;
      assemble(date, p.value, 0, 0);
      return true;
    }
    if (p.numeric && p.text.size() == 8) {
      const int head = p.value / 10000;
      if (head >= 1800 && head <= 2199) {
        assembleYearFirst(date, head, (p.value / 100) % 100, p.value % 100);
      } else {
        assembleDayMonth(date, p.value % 10000, p.value / 1000000, (p.value / 10000) % 100);
      }
      return true;
    }
    return false;
  }
  if (count == 2) {
    const Part& a = parts[0];
    const Part& b = parts[1];
    if (isYear(a) && isSmall(b)) { assemble(date, a.value, b.value, 0); return true; }
    if (isSmall(a) && isYear(b)) { assemble(date, b.value, a.value, 0); return true; }
    if (isMonthName(a) && isYear(b)) { assemble(date, b.value, a.value, 0); return true; }
    if (isYear(a) && isMonthName(b)) { assemble(date, a.value, b.value, 0); return true; }
    return false;
  }
  if (count == 3) {
    const Part& a = parts[0];
    const Part& b = parts[1];
    const Part& c = parts[2];
    if (isYear(a) && isSmall(b) && isSmall(c)) {
      assembleYearFirst(date, a.value, b.value, c.value);
      return true;
    }
    if (isSmall(a) && isSmall(b) && isYear(c)) {
      assembleDayMonth(date, c.value, a.value, b.value);
      return true;
    }
    if (isSmall(a) && isSmall(b) && isSmall(c) && c.text.size() == 2) {
      date.flags |= kDateTwoDigitYear;
      assembleDayMonth(date, twoDigitYear(c.value, options), a.value, b.value);
      return true;
    }
    if (isSmall(a) && isMonthName(b) && isYear(c)) { assemble(date, c.value, b.value, a.value); return true; }
    if (isMonthName(a) && isSmall(b) && isYear(c)) { assemble(date, c.value, a.value, b.value); return true; }
    if (isYear(a) && isMonthName(b) && isSmall(c)) { assemble(date, a.value, b.value, c.value); return true; }
    if (isSmall(a) && isMonthName(b) && isSmall(c) && c.text.size() == 2) {
      date.flags |= kDateTwoDigitYear;
      assemble(date, twoDigitYear(c.value, options), b.value, a.value);
      return true;
    }
    return false;
  }
  return false;
}

void checkPlausibility(PartialDate& date, const DateParseOptions& options) {
  if (date.precision == DatePrecision::none) return;
  if (date.year < options.minYear) date.flags |= kDateImplausible;
  const CivilDate& ref = options.reference;
  if (ref.year > 0) {
    // Compare only at the precision we have: a year-only 2026 is not in the
    // future of 2026-11-26.
    const int month = date.precision >= DatePrecision::month ? date.month : 0;
    const int day = date.precision == DatePrecision::day ? date.day : 0;
    const bool future = date.year > ref.year ||
                        (date.year == ref.year && month > 0 && month > ref.month) ||
                        (date.year == ref.year && month == ref.month && day > 0 && day > ref.day);
    if (future) date.flags |= kDateImplausible;
    if (ref.year - date.year > options.maxAgeYears) date.flags |= kDateImplausible;
  }
  if (date.precision == DatePrecision::day && date.day == 1 && date.month == 1) {
    date.flags |= kDateLikelyDefaulted;
  }
}

}  // namespace

int daysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) return 0;
  if (month == 2 && isLeap(year)) return 29;
  return kDays[static_cast<std::size_t>(month - 1)];
}

PartialDate parsePartialDate(std::string_view raw, const DateParseOptions& options) {
  PartialDate date;
  while (!raw.empty() && (raw.front() == ' ' || raw.front() == '\t')) raw.remove_prefix(1);
  while (!raw.empty() && (raw.back() == ' ' || raw.back() == '\t' || raw.back() == '\r' ||
                          raw.back() == '\n')) {
    raw.remove_suffix(1);
  }
  // Drop a time of day: cut at the 'T' or space before the first ':'.
  if (const std::size_t colon = raw.find(':'); colon != std::string_view::npos) {
    const std::size_t cut = raw.find_last_of(" T", colon);
    raw = cut == std::string_view::npos ? std::string_view{} : raw.substr(0, cut);
    while (!raw.empty() && raw.back() == ' ') raw.remove_suffix(1);
  }
  if (raw.empty() || isMissingMarker(raw)) {
    date.flags = kDateMissing;
    date.reason = describeDateFlags(date.flags);
    return date;
  }

  std::array<Part, kMaxParts> parts{};
  std::size_t count = 0;
  bool ok = true;
  bool allZero = true;
  for (std::size_t i = 0; i < raw.size() && ok;) {
    const char c = raw[i];
    const bool digit = c >= '0' && c <= '9';
    const bool letter = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    if (!digit && !letter) {
      if (c != '-' && c != '/' && c != '.' && c != ' ' && c != ',' && c != '\t') ok = false;
      ++i;
      continue;
    }
    std::size_t j = i;
    while (j < raw.size() && ((raw[j] >= '0' && raw[j] <= '9') == digit) &&
           (digit || (raw[j] >= 'a' && raw[j] <= 'z') || (raw[j] >= 'A' && raw[j] <= 'Z'))) {
      ++j;
    }
    if (count == kMaxParts) {
      ok = false;
      break;
    }
    Part& part = parts[count++];
    part.text = raw.substr(i, j - i);
    part.numeric = digit;
    if (digit) {
      if (part.text.size() > 8) ok = false;
      for (char d : part.text) part.value = part.value * 10 + (d - '0');
      allZero = allZero && part.value == 0;
    } else {
      part.value = monthFromName(part.text);
      if (part.value == 0) ok = false;
      allZero = false;
    }
    i = j;
  }
  if (ok && allZero && count > 0) {
    date.flags = kDateMissing;
    date.reason = describeDateFlags(date.flags);
    return date;
  }
  if (!ok || !parseParts(parts, count, date, options)) {
    date = PartialDate{};
    date.flags = kDateUnparsed;
    date.reason = describeDateFlags(date.flags);
    return date;
  }
  checkPlausibility(date, options);
  if (date.flags != 0) date.reason = describeDateFlags(date.flags);
  return date;
}

std::vector<PartialDate> swapAlternatives(const PartialDate& date) {
  std::vector<PartialDate> alternatives;
  if (date.precision != DatePrecision::day) return alternatives;
  if (date.day > 12 || date.day == date.month) return alternatives;
  if (date.month > daysInMonth(date.year, date.day)) return alternatives;
  PartialDate swapped;
  swapped.year = date.year;
  swapped.month = date.day;
  swapped.day = date.month;
  swapped.precision = DatePrecision::day;
  swapped.flags = kDateAmbiguousDayMonth;
  swapped.reason = describeDateFlags(swapped.flags);
  alternatives.push_back(std::move(swapped));
  return alternatives;
}

PartialDate dateFromAge(int ageYears, const CivilDate& reference, int maxAgeYears) {
  PartialDate date;
  if (ageYears < 0 || ageYears > maxAgeYears || reference.year <= 0) {
    date.flags = kDateImplausible | kDateDerivedFromAge;
  } else {
    date.year = reference.year - ageYears;
    date.precision = DatePrecision::year;
    date.flags = kDateDerivedFromAge;
  }
  date.reason = describeDateFlags(date.flags);
  return date;
}

std::string formatPartialDate(const PartialDate& date) {
  // The common case without snprintf (this runs for every encoded record):
  // the same text as the "%04d-%02d-%02d" formats below.
  const bool monthInRange = date.precision < DatePrecision::month || (date.month >= 0 && date.month <= 99);
  const bool dayInRange = date.precision < DatePrecision::day || (date.day >= 0 && date.day <= 99);
  if (date.precision != DatePrecision::none && date.year >= 0 && date.year <= 9999 && monthInRange && dayInRange) {
    std::string out;
    auto digits = [&out](int value, int width) {
      for (int divisor = width == 4 ? 1000 : 10; divisor > 0; divisor /= 10) {
        out.push_back(static_cast<char>('0' + value / divisor % 10));
      }
    };
    digits(date.year, 4);
    if (date.precision >= DatePrecision::month) {
      out.push_back('-');
      digits(date.month, 2);
    }
    if (date.precision == DatePrecision::day) {
      out.push_back('-');
      digits(date.day, 2);
    }
    return out;
  }
  char buffer[16];
  switch (date.precision) {
    case DatePrecision::year:
      std::snprintf(buffer, sizeof buffer, "%04d", date.year);
      return buffer;
    case DatePrecision::month:
      std::snprintf(buffer, sizeof buffer, "%04d-%02d", date.year, date.month);
      return buffer;
    case DatePrecision::day:
      std::snprintf(buffer, sizeof buffer, "%04d-%02d-%02d", date.year, date.month, date.day);
      return buffer;
    case DatePrecision::none:
      break;
  }
  return {};
}

std::string describeDateFlags(std::uint32_t flags) {
  std::string text;
  auto add = [&](std::uint32_t bit, std::string_view what) {
    if ((flags & bit) == 0) return;
    if (!text.empty()) text += "; ";
    text += what;
  };
  add(kDateMissing, "date missing");
  add(kDateUnparsed, "date not in a recognised layout");
  add(kDateLikelyDefaulted, "1 January: possibly a defaulted day and month");
  add(kDateImplausible, "date implausible (too early, in the future or age too high)");
  add(kDateInvalidDay, "day does not exist in that month; kept month and year");
  add(kDateAmbiguousDayMonth, "day and month could be swapped");
  add(kDateReadAsMonthDay, "read as month/day because the day position exceeds 12");
  add(kDateTwoDigitYear, "two-digit year: century inferred");
  add(kDateDerivedFromAge, "derived from a stated age: year may be one too late");
  add(kDateInvalidMonth, "month outside 1-12; kept the year");
  return text;
}

}  // namespace nser::linkage
