// SourceReader: one pass over a custodian's source of truth (a CSV file, a
// PostgreSQL table or query), row by row, in bounded memory. The connector
// maps the columns to linkage features and attributes (schemas/ mapping) and
// never holds more than a batch of rows.
//
// Values are text as the source gives them (a SQL NULL is the empty string,
// flagged in `nulls`). `location` names the row for errors and quarantine
// ("line 42" for CSV, "key 1234" for PostgreSQL) and never carries a value.
#pragma once

#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace nser::connectors {

// A failure that stops reading (unreadable file, lost connection, bad query):
// the message names the source and where it stopped, never a row's values.
class SourceError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct SourceRow {
  std::string location;
  std::vector<std::string> values;  // one per column, in columns() order
  std::vector<bool> nulls;          // empty, or one per column: the value was SQL NULL / absent
  // Non-empty when the row could not be read (a malformed CSV record, a
  // wrong field count): the reason, without values. The connector
  // quarantines such rows; reading continues with the next one.
  std::string malformed;
};

class SourceReader {
 public:
  virtual ~SourceReader() = default;
  virtual const std::vector<std::string>& columns() const = 0;
  // The next row, or nullopt at the end. Throws SourceError.
  virtual std::optional<SourceRow> next() = 0;
  // The watermark of the last row returned, for sources read incrementally
  // (PostgreSQL with a watermark column); empty otherwise.
  virtual std::optional<std::string> watermark() const { return std::nullopt; }
  // The share of the source read so far (0..1), when the source knows its
  // size (a CSV file); for progress and ETA only. Empty when unknown.
  virtual std::optional<double> fractionRead() { return std::nullopt; }
  // A short description for logs: "csv /data/punjab.csv", "postgresql table public.beneficiaries".
  virtual std::string describe() const = 0;
};

}  // namespace nser::connectors
