// PostgresSource: a custodian source that is a PostgreSQL table or query,
// streamed through a server-side cursor in bounded memory (at most
// `fetchRows` rows are held at a time), however large the table is.
//
// The whole read runs in one READ ONLY, REPEATABLE READ transaction, so it
// sees one consistent snapshot. Values come back as text (PostgreSQL's output
// format); a SQL NULL is "" with nulls[i] = true. A row's location is
// "key <primary key>" (or "row <n>" when no key column is configured).
//
// Incremental sync: with `watermarkColumn` set, rows come back ordered by that
// column (ascending, NULLs first, then by key), and with `watermarkAfter` only
// rows whose watermark is strictly greater than it. lastWatermark() is the
// watermark of the last row returned, which the connector persists once the
// rows are safely pushed. Rows changed without advancing the watermark are
// found only by the periodic full reconcile (see docs/connector-sources.md).
//
// Security: identifiers are quoted with PQescapeIdentifier, the watermark
// value is a bound parameter ($1), the password is read from a file that only
// its owner may read and is never logged. Errors name the source ("table
// public.x" or "query") and PostgreSQL's message; messages raised while rows
// are read have quoted text redacted, as such text may be a row's value.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "connectors/source_reader.h"

struct pg_conn;
struct pg_result;

namespace nser::connectors {

struct PostgresSourceOptions {
  // libpq conninfo, e.g. "host=/run/nser port=5432 dbname=registry user=nser_reader".
  // Put no password here: use passwordFile.
  std::string connection;
  // Optional: the password is the file's first line. The file must not be
  // readable or writable by group or others (mode 0600 or 0400).
  std::string passwordFile;
  // Exactly one of table ("schema.table" or "table"; split at the first dot)
  // and query (a SELECT, trusted configuration written by the custodian).
  std::string table;
  std::string query;
  // The primary key column: the row's location "key <value>", and the only
  // column keysOnly() returns. Empty: locations are "row <n>".
  std::string keyColumn;
  // Optional incremental sync: order by this column and, with watermarkAfter,
  // return only rows whose value is strictly greater (compared in the column's
  // own type: the text is a bound parameter PostgreSQL converts).
  std::string watermarkColumn;
  std::optional<std::string> watermarkAfter;
  // Only the row whose keyColumn equals this (a bound parameter): one
  // record's lookup for the attribute server. No watermark order then.
  std::optional<std::string> keyEquals;
  // Rows per FETCH: the bound on rows held in memory.
  std::size_t fetchRows = 1000;
};

class PostgresSource : public SourceReader {
 public:
  // Connects, opens the transaction and the cursor, and fetches the first
  // batch (which gives the columns). Throws SourceError on bad options, an
  // unreadable or too-open password file, a failed connection or a bad
  // table/query/column.
  explicit PostgresSource(PostgresSourceOptions options);
  // Only the key column of every row (no watermark filter, no order), for the
  // reconcile pass that finds deletions. Requires keyColumn.
  static std::unique_ptr<PostgresSource> keysOnly(PostgresSourceOptions options);

  ~PostgresSource() override;
  PostgresSource(const PostgresSource&) = delete;
  PostgresSource& operator=(const PostgresSource&) = delete;

  const std::vector<std::string>& columns() const override { return columns_; }
  std::optional<SourceRow> next() override;
  std::string describe() const override { return "postgresql " + sourceName_; }
  std::optional<std::string> watermark() const override { return lastWatermark_; }

  // The watermark of the last row returned (NULL watermarks leave it as it was);
  // starts as options.watermarkAfter. nullopt without a watermark column.
  const std::optional<std::string>& lastWatermark() const { return lastWatermark_; }
  // FETCH round trips so far: with N rows, ceil(N / fetchRows) + 1 at the end.
  std::size_t fetchCount() const { return fetchCount_; }

 private:
  struct ResultDeleter {
    void operator()(pg_result* result) const;
  };
  struct ConnectionDeleter {
    void operator()(pg_conn* conn) const;  // PQfinish: an open transaction is rolled back
  };
  using Result = std::unique_ptr<pg_result, ResultDeleter>;

  PostgresSource(PostgresSourceOptions options, bool keysOnly);
  std::string selectStatement() const;
  std::string quoteIdentifier(const std::string& name) const;
  std::string quoteTable(const std::string& table) const;
  Result command(const std::string& sql, const std::string& what, bool redact,
                 const std::vector<const char*>& params = {});
  void fetch();
  [[noreturn]] void fail(const std::string& what, const std::string& message) const;

  PostgresSourceOptions options_;
  bool keysOnly_;
  std::string sourceName_;
  // Owned, so that a constructor that throws still closes the connection.
  std::unique_ptr<pg_conn, ConnectionDeleter> conn_;
  Result batch_;
  int batchRows_ = 0;
  int batchRow_ = 0;
  bool finished_ = false;
  std::vector<std::string> columns_;
  int keyIndex_ = -1;
  int watermarkIndex_ = -1;
  std::optional<std::string> lastWatermark_;
  std::size_t fetchCount_ = 0;
  std::size_t rowNumber_ = 0;
};

}  // namespace nser::connectors
