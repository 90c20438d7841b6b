#include "linkage/partial_date.h"

#include <gtest/gtest.h>

#include <cstdio>

namespace nser::linkage {
namespace {

PartialDate full(int y, int m, int d) {
  PartialDate p;
  p.year = y;
  p.month = m;
  p.day = d;
  p.precision = DatePrecision::day;
  return p;
}

const DateParseOptions kToday{{2026, 11, 26}, 1900, 120};

TEST(PartialDate, FullDateLayouts) {
  const PartialDate expected = full(1985, 3, 13);
  for (const char* text : {"1985-03-13", "1985/03/13", "1985.3.13", "19850313", "13/03/1985",
                           "13-03-1985", "13.3.1985", "13 Mar 1985", "13-March-1985",
                           "Mar 13, 1985", "1985 Mar 13", "13 MARCH 1985", "13031985",
                           "1985-03-13T00:00:00", "1985-03-13 00:00:00", " 13/3/1985 "}) {
    const PartialDate date = parsePartialDate(text, kToday);
    EXPECT_EQ(date, expected) << text;
    EXPECT_EQ(date.flags, 0u) << text << ": " << date.reason;
  }
}

TEST(PartialDate, MonthYearLayouts) {
  for (const char* text : {"1985-03", "03/1985", "3/1985", "Mar 1985", "March-1985", "1985 Mar",
                           "00/03/1985"}) {
    const PartialDate date = parsePartialDate(text, kToday);
    EXPECT_EQ(date.precision, DatePrecision::month) << text;
    EXPECT_EQ(date.year, 1985) << text;
    EXPECT_EQ(date.month, 3) << text;
    EXPECT_EQ(date.day, 0) << text;
  }
}

TEST(PartialDate, YearOnly) {
  for (const char* text : {"1985", "00/00/1985", "1985-00-00"}) {
    const PartialDate date = parsePartialDate(text, kToday);
    EXPECT_EQ(date.precision, DatePrecision::year) << text;
    EXPECT_EQ(date.year, 1985) << text;
    EXPECT_EQ(date.flags, 0u) << text;
  }
}

TEST(PartialDate, MissingValues) {
  for (const char* text : {"", "  ", "NA", "n/a", "Unknown", "-", "0000-00-00", "00/00/0000", "0"}) {
    const PartialDate date = parsePartialDate(text, kToday);
    EXPECT_EQ(date.precision, DatePrecision::none) << text;
    EXPECT_EQ(date.flags, kDateMissing) << text;
  }
}

TEST(PartialDate, UnparsedValues) {
  for (const char* text : {"yesterday", "13/13/13/13", "1985-03-13-01-02", "12 Foo 1985", "85",
                           "123456789", "1985#03#13"}) {
    const PartialDate date = parsePartialDate(text, kToday);
    EXPECT_EQ(date.precision, DatePrecision::none) << text;
    EXPECT_EQ(date.flags, kDateUnparsed) << text;
    EXPECT_FALSE(date.reason.empty());
  }
}

TEST(PartialDate, FirstJanuaryIsFlaggedAsLikelyDefault) {
  const PartialDate date = parsePartialDate("01/01/1970", kToday);
  EXPECT_EQ(date, full(1970, 1, 1));
  EXPECT_EQ(date.flags, kDateLikelyDefaulted);
  EXPECT_NE(date.reason.find("1 January"), std::string::npos);
  EXPECT_EQ(parsePartialDate("1970-01", kToday).flags, 0u) << "month-year is not a default day";
}

TEST(PartialDate, AmbiguousDayMonthIsReadDayFirstAndFlagged) {
  const PartialDate date = parsePartialDate("05/04/1990", kToday);
  EXPECT_EQ(date, full(1990, 4, 5));
  EXPECT_EQ(date.flags, kDateAmbiguousDayMonth);
  EXPECT_EQ(parsePartialDate("04/04/1990", kToday).flags, 0u) << "equal parts are not ambiguous";
  EXPECT_EQ(parsePartialDate("1990-04-05", kToday).flags, 0u) << "ISO order is not ambiguous";
}

TEST(PartialDate, MonthFirstWhenTheDayPositionExceedsTwelve) {
  const PartialDate date = parsePartialDate("04/25/1990", kToday);
  EXPECT_EQ(date, full(1990, 4, 25));
  EXPECT_EQ(date.flags, kDateReadAsMonthDay);
  const PartialDate iso = parsePartialDate("1990-25-04", kToday);
  EXPECT_EQ(iso, full(1990, 4, 25));
  EXPECT_EQ(iso.flags, kDateReadAsMonthDay);
}

TEST(PartialDate, InvalidMonthAndDay) {
  const PartialDate badMonth = parsePartialDate("13/13/1990", kToday);
  EXPECT_EQ(badMonth.precision, DatePrecision::year);
  EXPECT_TRUE(badMonth.flags & kDateInvalidMonth);
  const PartialDate badDay = parsePartialDate("31/04/1990", kToday);
  EXPECT_EQ(badDay.precision, DatePrecision::month);
  EXPECT_EQ(badDay.month, 4);
  EXPECT_TRUE(badDay.flags & kDateInvalidDay);
  EXPECT_TRUE(parsePartialDate("29/02/1990", kToday).flags & kDateInvalidDay);
  EXPECT_EQ(parsePartialDate("29/02/1992", kToday).flags, 0u) << "leap year";
  EXPECT_TRUE(parsePartialDate("29/02/1900", kToday).flags & kDateInvalidDay) << "1900 is not leap";
  EXPECT_EQ(parsePartialDate("29/02/2000", kToday).flags, 0u) << "2000 is leap";
}

TEST(PartialDate, ImplausibleDates) {
  EXPECT_TRUE(parsePartialDate("1850", kToday).flags & kDateImplausible);
  EXPECT_TRUE(parsePartialDate("2027-01-02", kToday).flags & kDateImplausible);
  EXPECT_TRUE(parsePartialDate("27/11/2026", kToday).flags & kDateImplausible);
  EXPECT_FALSE(parsePartialDate("26/11/2026", kToday).flags & kDateImplausible);
  EXPECT_FALSE(parsePartialDate("2026", kToday).flags & kDateImplausible) << "compared at its precision";
  EXPECT_TRUE(parsePartialDate("2026-12", kToday).flags & kDateImplausible);
  DateParseOptions strict = kToday;
  strict.maxAgeYears = 100;
  EXPECT_TRUE(parsePartialDate("1920", strict).flags & kDateImplausible);
  EXPECT_FALSE(parsePartialDate("2030", DateParseOptions{}).flags & kDateImplausible)
      << "no reference date, no future check";
}

TEST(PartialDate, TwoDigitYears) {
  const PartialDate old = parsePartialDate("13/03/85", kToday);
  EXPECT_EQ(old, full(1985, 3, 13));
  EXPECT_TRUE(old.flags & kDateTwoDigitYear);
  EXPECT_EQ(parsePartialDate("13/03/05", kToday).year, 2005);
  EXPECT_EQ(parsePartialDate("13 Mar 05", kToday).year, 2005);
  EXPECT_EQ(parsePartialDate("13/03/45", kToday).year, 1945);
}

TEST(PartialDate, SwapAlternatives) {
  const auto swaps = swapAlternatives(full(1990, 4, 5));
  ASSERT_EQ(swaps.size(), 1u);
  EXPECT_EQ(swaps[0], full(1990, 5, 4));
  EXPECT_TRUE(swapAlternatives(full(1990, 4, 25)).empty()) << "day 25 cannot be a month";
  EXPECT_TRUE(swapAlternatives(full(1990, 4, 4)).empty()) << "swap is the same date";
  PartialDate monthOnly;
  monthOnly.year = 1990;
  monthOnly.month = 4;
  monthOnly.precision = DatePrecision::month;
  EXPECT_TRUE(swapAlternatives(monthOnly).empty());
}

TEST(PartialDate, DerivedFromAge) {
  const PartialDate date = dateFromAge(40, {2026, 11, 26});
  EXPECT_EQ(date.precision, DatePrecision::year);
  EXPECT_EQ(date.year, 1986);
  EXPECT_EQ(date.flags, kDateDerivedFromAge);
  EXPECT_TRUE(dateFromAge(-1, {2026, 1, 1}).flags & kDateImplausible);
  EXPECT_TRUE(dateFromAge(130, {2026, 1, 1}).flags & kDateImplausible);
  EXPECT_EQ(dateFromAge(130, {2026, 1, 1}).precision, DatePrecision::none);
}

TEST(PartialDate, Format) {
  EXPECT_EQ(formatPartialDate(full(1985, 3, 13)), "1985-03-13");
  EXPECT_EQ(formatPartialDate(parsePartialDate("Mar 1985")), "1985-03");
  EXPECT_EQ(formatPartialDate(parsePartialDate("1985")), "1985");
  EXPECT_EQ(formatPartialDate(PartialDate{}), "");
}

// The formatter writes digits itself in the usual range; it must give
// exactly the zero-padded printf text, and fall back to it outside the range.
TEST(PartialDate, FormatMatchesPrintfZeroPadding) {
  for (int year : {0, 7, 99, 999, 1900, 2026, 9999, 10000, -5}) {
    for (int month : {1, 9, 12}) {
      for (int day : {1, 9, 10, 31}) {
        PartialDate date;
        date.year = year;
        date.month = month;
        date.day = day;
        char expected[32];
        date.precision = DatePrecision::day;
        std::snprintf(expected, sizeof expected, "%04d-%02d-%02d", year, month, day);
        EXPECT_EQ(formatPartialDate(date), expected);
        date.precision = DatePrecision::month;
        std::snprintf(expected, sizeof expected, "%04d-%02d", year, month);
        EXPECT_EQ(formatPartialDate(date), expected);
        date.precision = DatePrecision::year;
        std::snprintf(expected, sizeof expected, "%04d", year);
        EXPECT_EQ(formatPartialDate(date), expected);
      }
    }
  }
}

TEST(PartialDate, DaysInMonth) {
  EXPECT_EQ(daysInMonth(2023, 2), 28);
  EXPECT_EQ(daysInMonth(2024, 2), 29);
  EXPECT_EQ(daysInMonth(2024, 4), 30);
  EXPECT_EQ(daysInMonth(2024, 12), 31);
  EXPECT_EQ(daysInMonth(2024, 13), 0);
}

}  // namespace
}  // namespace nser::linkage
