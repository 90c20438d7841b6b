// Streaming RFC 4180 CSV reader: fields separated by ',', records ended by
// LF or CRLF; a field may be quoted with '"', a quoted field may contain ',',
// CR, LF and doubled quotes ("" for one "). A UTF-8 byte-order mark at the
// start is skipped, and empty lines are skipped (they carry no record).
//
// Reads one record at a time from an istream, so memory does not grow with
// the file. Malformed input (an unterminated quote, a stray quote inside an
// unquoted field, text after a closing quote) is a value, not an exception:
// next() returns CsvStatus::Malformed and reason() says what was wrong;
// lineNumber() names the line where the record started, so callers can write
// "<file>:<line>: <reason>". Not thread-safe.
#pragma once

#include <cstdint>
#include <istream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace nser::linkage {

enum class CsvStatus { Record, End, Malformed };

class CsvReader {
 public:
  explicit CsvReader(std::istream& in) : in_(in) {}

  // Reads the next record into `fields` (cleared first).
  CsvStatus next(std::vector<std::string>& fields);
  // 1-based physical line on which the last record (or malformed record) started.
  std::uint64_t lineNumber() const { return recordLine_; }
  const std::string& reason() const { return reason_; }

 private:
  bool readLine(std::string& line);

  std::istream& in_;
  std::uint64_t linesRead_ = 0;
  std::uint64_t recordLine_ = 0;
  std::string reason_;
  std::string line_;
};

// Column positions found by name in a header record.
class CsvHeader {
 public:
  explicit CsvHeader(std::vector<std::string> names) : names_(std::move(names)) {}
  // Index of the column named `name`, or empty when absent.
  std::optional<std::size_t> find(std::string_view name) const;
  std::size_t size() const { return names_.size(); }

 private:
  std::vector<std::string> names_;
};

}  // namespace nser::linkage
