// PythonStrptime: Python's datetime.strptime() for the directives a date
// feature of a clkhash schema can use, reproducing Python's behaviour
// exactly (clkhash validates and normalises dates with it):
//
//  - the format becomes a regular expression the way CPython's _strptime
//    builds it: literal text escaped, each whitespace run matches one or more
//    whitespace characters, matching is case-insensitive, each directive has
//    CPython's pattern (e.g. %d = "3[01]|[12]\d|0[1-9]|[1-9]| [1-9]", %Y =
//    four digits, %b/%B/%a/%A/%p = the C-locale English names);
//  - the match starts at the beginning and must consume the whole text
//    ("unconverted data remains" otherwise);
//  - defaults year 1900, month 1, day 1; %y 00-68 -> 20xx, 69-99 -> 19xx;
//    %j gives the date as day-of-year (overriding %m/%d, and 366 in a common
//    year rolls into the next year, as in CPython); the calendar date must
//    exist (no 30 February); 29 February without a year is rejected.
//
// Supported: %d %m %y %Y %b %B %a %A %j %H %I %M %S %f %p %%. Others (%U %W
// %c %x %z ...) are refused when the format is compiled.
//
// Immutable after construction; parse() is thread-safe.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace Poco {
class RegularExpression;
}

namespace nser::linkage {

struct CivilDate {
  int year = 0;
  int month = 0;
  int day = 0;
};

struct StrptimeResult {
  bool ok = false;
  CivilDate date;
  const char* reason = "";  // static text when !ok; never contains the input
};

class PythonStrptime {
 public:
  // Throws std::invalid_argument for an unsupported or repeated directive or a
  // trailing '%'.
  explicit PythonStrptime(std::string_view format);
  ~PythonStrptime();
  PythonStrptime(PythonStrptime&&) noexcept;
  PythonStrptime& operator=(PythonStrptime&&) noexcept;

  const std::string& format() const { return format_; }
  // `text` must be valid UTF-8.
  StrptimeResult parse(std::string_view text) const;

  // clkhash's normalised form, datetime.strftime('%Y%m%d') on Linux: the year
  // without zero padding (year 999 -> "999"), month and day as two digits.
  static void appendClkhashDate(std::string& out, const CivilDate& date);

 private:
  std::string format_;
  std::unique_ptr<Poco::RegularExpression> regex_;
  std::vector<char> groups_;  // directive letter of each capture group, in order
};

}  // namespace nser::linkage
