#include "linkage/python_strptime.h"

#include <Poco/Exception.h>
#include <Poco/RegularExpression.h>

#include <array>
#include <stdexcept>

#include "linkage/python_number.h"

namespace nser::linkage {

namespace {

constexpr std::array<const char*, 12> kMonthNames = {"january", "february", "march",     "april",   "may",      "june",
                                                     "july",    "august",   "september", "october", "november", "december"};
constexpr std::array<const char*, 12> kMonthAbbreviations = {"jan", "feb", "mar", "apr", "may", "jun",
                                                             "jul", "aug", "sep", "oct", "nov", "dec"};

// CPython's _strptime.TimeRE patterns (3.11). Name lists are ordered longest
// first, as CPython's __seqToRE sorts them, so the first alternative that
// matches is the one CPython's engine picks too.
const char* directivePattern(char directive) {
  switch (directive) {
    case 'd': return "(3[0-1]|[1-2]\\d|0[1-9]|[1-9]| [1-9])";
    case 'f': return "([0-9]{1,6})";
    case 'H': return "(2[0-3]|[0-1]\\d|\\d)";
    case 'I': return "(1[0-2]|0[1-9]|[1-9])";
    case 'j': return "(36[0-6]|3[0-5]\\d|[1-2]\\d\\d|0[1-9]\\d|00[1-9]|[1-9]\\d|0[1-9]|[1-9])";
    case 'm': return "(1[0-2]|0[1-9]|[1-9])";
    case 'M': return "([0-5]\\d|\\d)";
    case 'S': return "(6[0-1]|[0-5]\\d|\\d)";
    case 'y': return "(\\d\\d)";
    case 'Y': return "(\\d\\d\\d\\d)";
    case 'B': return "(september|february|december|november|january|october|august|march|april|june|july|may)";
    case 'b': return "(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)";
    case 'A': return "(wednesday|thursday|saturday|tuesday|monday|friday|sunday)";
    case 'a': return "(mon|tue|wed|thu|fri|sat|sun)";
    case 'p': return "(am|pm)";
    default: return nullptr;
  }
}

bool isRegexSpecial(char c) {
  switch (c) {
    case '\\': case '.': case '^': case '$': case '*': case '+': case '?':
    case '(': case ')': case '{': case '}': case '[': case ']': case '|':
      return true;
    default:
      return false;
  }
}

// Proleptic Gregorian day number (days since 1970-01-01), H. Hinnant's algorithm.
long daysFromCivil(long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long>(doe) - 719468;
}

CivilDate civilFromDays(long z) {
  z += 719468;
  const long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long y = static_cast<long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {static_cast<int>(y + (m <= 2)), static_cast<int>(m), static_cast<int>(d)};
}

bool isLeap(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int daysInMonth(int year, int month) {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && isLeap(year) ? 29 : kDays[static_cast<std::size_t>(month - 1)];
}

int nameIndex(std::string_view text, const std::array<const char*, 12>& names) {
  std::string lower;
  for (char c : text) lower.push_back(static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c));
  for (std::size_t i = 0; i < names.size(); ++i) {
    if (lower == names[i]) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

PythonStrptime::PythonStrptime(std::string_view format) : format_(format) {
  // (*UCP): \d and \s follow Unicode like Python's str patterns.
  std::string pattern = "(*UCP)";
  std::string seen;
  for (std::size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if (c == '%') {
      if (i + 1 >= format.size()) throw std::invalid_argument("date format ends with a lone '%'");
      const char directive = format[++i];
      if (directive == '%') {
        pattern += "%";
        continue;
      }
      const char* directiveRegex = directivePattern(directive);
      if (directiveRegex == nullptr) {
        throw std::invalid_argument(std::string("unsupported date format directive '%") + directive +
                                    "' (supported: %d %m %y %Y %b %B %a %A %j %H %I %M %S %f %p %%)");
      }
      if (seen.find(directive) != std::string::npos) {
        throw std::invalid_argument(std::string("date format directive '%") + directive +
                                    "' appears twice (Python's strptime refuses this)");
      }
      seen.push_back(directive);
      groups_.push_back(directive);
      pattern += directiveRegex;
      continue;
    }
    const unsigned char uc = static_cast<unsigned char>(c);
    if (uc == ' ' || (uc >= '\t' && uc <= '\r')) {
      // CPython replaces every whitespace run of the format by \s+.
      while (i + 1 < format.size() && (format[i + 1] == ' ' || (format[i + 1] >= '\t' && format[i + 1] <= '\r'))) ++i;
      pattern += "\\s+";
      continue;
    }
    if (isRegexSpecial(c)) pattern.push_back('\\');
    pattern.push_back(c);
  }
  try {
    regex_ = std::make_unique<Poco::RegularExpression>(pattern, Poco::RegularExpression::RE_CASELESS |
                                                                    Poco::RegularExpression::RE_UTF8);
  } catch (const Poco::Exception& error) {
    throw std::invalid_argument("date format cannot be compiled: " + error.message());
  }
}

PythonStrptime::~PythonStrptime() = default;
PythonStrptime::PythonStrptime(PythonStrptime&&) noexcept = default;
PythonStrptime& PythonStrptime::operator=(PythonStrptime&&) noexcept = default;

StrptimeResult PythonStrptime::parse(std::string_view text) const {
  StrptimeResult result;
  const std::string subject(text);
  Poco::RegularExpression::MatchVec matches;
  int count = 0;
  try {
    count = regex_->match(subject, 0, matches, Poco::RegularExpression::RE_ANCHORED);
  } catch (const Poco::Exception&) {
    count = 0;
  }
  if (count == 0 || matches[0].offset != 0) {
    result.reason = "does not match the date format";
    return result;
  }
  if (matches[0].length != subject.size()) {
    result.reason = "has text after the date (unconverted data remains)";
    return result;
  }
  int year = -1;
  int month = 1;
  int day = 1;
  int julian = -1;
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    const auto& group = matches[g + 1];
    if (group.offset == std::string::npos) continue;
    const std::string_view value = std::string_view(subject).substr(group.offset, group.length);
    const auto number = [&]() { return static_cast<int>(parsePythonInt(value).value); };
    switch (groups_[g]) {
      case 'Y': year = number(); break;
      case 'y': year = number() + (number() <= 68 ? 2000 : 1900); break;
      case 'm': month = number(); break;
      case 'B': month = nameIndex(value, kMonthNames) + 1; break;
      case 'b': month = nameIndex(value, kMonthAbbreviations) + 1; break;
      case 'd': day = number(); break;
      case 'j': julian = number(); break;
      default: break;  // time of day and weekday names do not change the date
    }
  }
  if (year < 0) {
    // CPython: no year given means 1900, and 29 February then fails.
    if (month == 2 && day == 29) {
      result.reason = "is 29 February without a year";
      return result;
    }
    year = 1900;
  }
  if (year < 1 || year > 9999) {
    result.reason = "has a year outside 1..9999";
    return result;
  }
  if (julian > 0) {
    const CivilDate date = civilFromDays(daysFromCivil(year, 1, 1) + julian - 1);
    if (date.year > 9999) {
      result.reason = "has a year outside 1..9999";
      return result;
    }
    result.ok = true;
    result.date = date;
    return result;
  }
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    result.reason = "is not a calendar date";
    return result;
  }
  result.ok = true;
  result.date = {year, month, day};
  return result;
}

void PythonStrptime::appendClkhashDate(std::string& out, const CivilDate& date) {
  out += std::to_string(date.year);
  out.push_back(static_cast<char>('0' + date.month / 10));
  out.push_back(static_cast<char>('0' + date.month % 10));
  out.push_back(static_cast<char>('0' + date.day / 10));
  out.push_back(static_cast<char>('0' + date.day % 10));
}

}  // namespace nser::linkage
