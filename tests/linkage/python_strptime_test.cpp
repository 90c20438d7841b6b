// Expected outcomes are Python 3.11's datetime.strptime(v, f).strftime('%Y%m%d').
#include "linkage/python_strptime.h"

#include <gtest/gtest.h>

namespace nser::linkage {
namespace {

std::string clkhashDate(std::string_view value, std::string_view format) {
  const PythonStrptime parser(format);
  const StrptimeResult result = parser.parse(value);
  if (!result.ok) return std::string("ERR: ") + result.reason;
  std::string out;
  PythonStrptime::appendClkhashDate(out, result.date);
  return out;
}

TEST(PythonStrptime, ParsesAndNormalisesLikePython) {
  EXPECT_EQ(clkhashDate("07/03/1985", "%d/%m/%Y"), "19850307");
  EXPECT_EQ(clkhashDate("7/3/1985", "%d/%m/%Y"), "19850307");
  EXPECT_EQ(clkhashDate("12 MARCH 85", "%d %B %y"), "19850312");
  EXPECT_EQ(clkhashDate("12  march   69", "%d %B %y"), "19690312");  // whitespace runs, %y 69 -> 1969
  EXPECT_EQ(clkhashDate("1985-03-07 13:45", "%Y-%m-%d %H:%M"), "19850307");
  EXPECT_EQ(clkhashDate("Mon 5 Jan 2026", "%a %d %b %Y"), "20260105");
  EXPECT_EQ(clkhashDate("19850307", "%Y%m%d"), "19850307");
  EXPECT_EQ(clkhashDate("1231985", "%m%d%Y"), "19851203");  // backtracking as in Python's regex
  EXPECT_EQ(clkhashDate("0999-01-02", "%Y-%m-%d"), "9990102");  // strftime %Y does not pad on Linux
}

TEST(PythonStrptime, DayOfYearRollsOverLikePython) {
  EXPECT_EQ(clkhashDate("2001-366", "%Y-%j"), "20020101");
  EXPECT_EQ(clkhashDate("2000-366", "%Y-%j"), "20001231");
}

TEST(PythonStrptime, RejectsWhatPythonRejects) {
  EXPECT_EQ(clkhashDate("31/02/1985", "%d/%m/%Y").substr(0, 4), "ERR:");
  EXPECT_EQ(clkhashDate("1985-03-07x", "%Y-%m-%d").substr(0, 4), "ERR:");
  EXPECT_EQ(clkhashDate("02-29", "%m-%d").substr(0, 4), "ERR:");  // no year: 1900 is not leap
  EXPECT_EQ(clkhashDate("85-03-07", "%Y-%m-%d").substr(0, 4), "ERR:");
  EXPECT_EQ(clkhashDate("0000-01-01", "%Y-%m-%d").substr(0, 4), "ERR:");
}

TEST(PythonStrptime, RefusesUnsupportedOrRepeatedDirectives) {
  EXPECT_THROW(PythonStrptime("%U-%Y"), std::invalid_argument);
  EXPECT_THROW(PythonStrptime("%d/%d"), std::invalid_argument);
  EXPECT_THROW(PythonStrptime("%Y%"), std::invalid_argument);
  EXPECT_NO_THROW(PythonStrptime("%Y (%%) [x]."));
  EXPECT_EQ(clkhashDate("2020 (%) [x].", "%Y (%%) [x]."), "20200101");
}

}  // namespace
}  // namespace nser::linkage
