#include "connectors/postgres_source.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace nser::connectors {

namespace {

constexpr const char* kCursor = "nser_source";

std::string trimTrailing(std::string text, const std::string& characters) {
  while (!text.empty() && characters.find(text.back()) != std::string::npos) text.pop_back();
  return text;
}

// Text inside double quotes in a server message raised while rows are read
// may be a row's value ('invalid input syntax for type date: "..."').
std::string redactQuoted(const std::string& message) {
  std::string out;
  bool inside = false;
  for (char c : message) {
    if (c == '"') {
      if (!inside) out += "\"...\"";
      inside = !inside;
    } else if (!inside) {
      out += c;
    }
  }
  return out;
}

// The password file's first line. Checked on the open descriptor (no race
// between the check and the read): a regular file, no group/other access.
std::string readPasswordFile(const std::string& path, const std::string& sourceName) {
  const std::string prefix = "postgresql " + sourceName + ": password file '" + path + "': ";
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) throw SourceError(prefix + "cannot open (" + std::strerror(errno) + ")");
  struct stat info {};
  if (::fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    ::close(fd);
    throw SourceError(prefix + "not a regular file");
  }
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    ::close(fd);
    throw SourceError(prefix + "readable or writable by group or others; chmod 600 it");
  }
  std::string content;
  char buffer[512];
  for (;;) {
    const ssize_t got = ::read(fd, buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      ::close(fd);
      throw SourceError(prefix + "read error");
    }
    if (got == 0) break;
    content.append(buffer, static_cast<std::size_t>(got));
    if (content.find('\n') != std::string::npos || content.size() > 4096) break;
  }
  ::close(fd);
  const auto newline = content.find('\n');
  if (newline != std::string::npos) content.resize(newline);
  content = trimTrailing(std::move(content), "\r");
  if (content.empty()) throw SourceError(prefix + "empty");
  return content;
}

}  // namespace

void PostgresSource::ResultDeleter::operator()(pg_result* result) const { PQclear(result); }
void PostgresSource::ConnectionDeleter::operator()(pg_conn* conn) const { PQfinish(conn); }

PostgresSource::PostgresSource(PostgresSourceOptions options) : PostgresSource(std::move(options), false) {}

std::unique_ptr<PostgresSource> PostgresSource::keysOnly(PostgresSourceOptions options) {
  return std::unique_ptr<PostgresSource>(new PostgresSource(std::move(options), true));
}

PostgresSource::PostgresSource(PostgresSourceOptions options, bool keysOnly)
    : options_(std::move(options)), keysOnly_(keysOnly) {
  sourceName_ = options_.table.empty() ? "query" : "table " + options_.table;
  if (options_.table.empty() == options_.query.empty()) {
    throw SourceError("postgresql source: set exactly one of table and query");
  }
  if (options_.fetchRows == 0) throw SourceError("postgresql " + sourceName_ + ": fetchRows must be at least 1");
  if (keysOnly_ && options_.keyColumn.empty()) {
    throw SourceError("postgresql " + sourceName_ + ": listing keys needs keyColumn");
  }
  if (!keysOnly_ && !options_.watermarkColumn.empty()) lastWatermark_ = options_.watermarkAfter;
  if (options_.watermarkAfter && options_.watermarkColumn.empty()) {
    throw SourceError("postgresql " + sourceName_ + ": watermarkAfter needs watermarkColumn");
  }

  std::string password;
  if (!options_.passwordFile.empty()) password = readPasswordFile(options_.passwordFile, sourceName_);

  // expand_dbname = 1: the first "dbname" value is the whole conninfo; the
  // keywords after it override it (the password never enters a string).
  std::vector<const char*> keys{"dbname", "client_encoding", "application_name"};
  std::vector<const char*> values{options_.connection.c_str(), "UTF8", "nser-connector"};
  if (!password.empty()) {
    keys.push_back("password");
    values.push_back(password.c_str());
  }
  keys.push_back(nullptr);
  values.push_back(nullptr);
  conn_.reset(PQconnectdbParams(keys.data(), values.data(), 1));
  std::fill(password.begin(), password.end(), '\0');
  if (conn_ == nullptr) fail("connecting", "out of memory");
  if (PQstatus(conn_.get()) != CONNECTION_OK) fail("connecting", PQerrorMessage(conn_.get()));

  // Stable text forms, whatever the server's or role's defaults: content
  // hashes of rows must not change because a DateStyle setting did.
  command("SET datestyle TO ISO, YMD; SET timezone TO 'UTC'; SET intervalstyle TO postgres; "
          "SET extra_float_digits TO 1; SET bytea_output TO hex",
          "setting output formats", false);
  command("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", "starting the read transaction", false);
  if (options_.keyEquals && (options_.keyColumn.empty() || options_.watermarkAfter)) {
    throw SourceError("postgresql " + sourceName_ + ": a key lookup needs keyColumn and no watermark");
  }
  std::vector<const char*> params;
  if (!keysOnly_ && options_.watermarkAfter) params.push_back(options_.watermarkAfter->c_str());
  if (options_.keyEquals) params.push_back(options_.keyEquals->c_str());
  command(std::string("DECLARE ") + kCursor + " NO SCROLL CURSOR FOR " + selectStatement(), "opening the cursor", false,
          params);
  fetch();

  const int fields = PQnfields(batch_.get());
  for (int i = 0; i < fields; ++i) columns_.emplace_back(PQfname(batch_.get(), i));
  auto indexOf = [&](const std::string& name) {
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (columns_[i] == name) return static_cast<int>(i);
    }
    return -1;
  };
  if (!options_.keyColumn.empty()) {
    keyIndex_ = indexOf(options_.keyColumn);
    if (keyIndex_ < 0) fail("checking columns", "key column '" + options_.keyColumn + "' is not among the columns");
  }
  if (!keysOnly_ && !options_.watermarkColumn.empty()) {
    watermarkIndex_ = indexOf(options_.watermarkColumn);
    if (watermarkIndex_ < 0) {
      fail("checking columns", "watermark column '" + options_.watermarkColumn + "' is not among the columns");
    }
  }
}

PostgresSource::~PostgresSource() = default;

std::string PostgresSource::quoteIdentifier(const std::string& name) const {
  char* quoted = PQescapeIdentifier(conn_.get(), name.data(), name.size());
  if (quoted == nullptr) fail("quoting an identifier", PQerrorMessage(conn_.get()));
  std::string result(quoted);
  PQfreemem(quoted);
  return result;
}

std::string PostgresSource::quoteTable(const std::string& table) const {
  const auto dot = table.find('.');
  if (dot == std::string::npos) return quoteIdentifier(table);
  return quoteIdentifier(table.substr(0, dot)) + "." + quoteIdentifier(table.substr(dot + 1));
}

std::string PostgresSource::selectStatement() const {
  const std::string what = keysOnly_ ? quoteIdentifier(options_.keyColumn) : "*";
  std::string sql = "SELECT " + what + " FROM ";
  if (!options_.table.empty()) {
    sql += quoteTable(options_.table);
  } else {
    // Newlines so that a trailing "-- comment" in the query cannot swallow the ")".
    sql += "(\n" + trimTrailing(options_.query, " \t\r\n;") + "\n) AS nser_query";
  }
  if (options_.keyEquals) {
    // Compared as text: the key's own type may be anything.
    return sql + " WHERE " + quoteIdentifier(options_.keyColumn) + "::text = $1";
  }
  if (keysOnly_ || options_.watermarkColumn.empty()) return sql;
  const std::string watermark = quoteIdentifier(options_.watermarkColumn);
  if (options_.watermarkAfter) sql += " WHERE " + watermark + " > $1";
  sql += " ORDER BY " + watermark + " ASC NULLS FIRST";
  if (!options_.keyColumn.empty()) sql += ", " + quoteIdentifier(options_.keyColumn);
  return sql;
}

PostgresSource::Result PostgresSource::command(const std::string& sql, const std::string& what, bool redact,
                                               const std::vector<const char*>& params) {
  Result result(params.empty() ? PQexec(conn_.get(), sql.c_str())
                               : PQexecParams(conn_.get(), sql.c_str(), static_cast<int>(params.size()), nullptr,
                                              params.data(), nullptr, nullptr, 0));
  const auto status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return result;

  std::string message;
  const char* primary = result ? PQresultErrorField(result.get(), PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  if (primary != nullptr) {
    message = primary;
    if (const char* state = PQresultErrorField(result.get(), PG_DIAG_SQLSTATE)) {
      message += std::string(" (SQLSTATE ") + state + ")";
    }
  } else {
    message = PQerrorMessage(conn_.get());
  }
  fail(what, redact ? redactQuoted(message) : message);
}

void PostgresSource::fetch() {
  batch_ = command("FETCH " + std::to_string(options_.fetchRows) + " FROM " + kCursor, "reading rows", true);
  ++fetchCount_;
  batchRows_ = PQntuples(batch_.get());
  batchRow_ = 0;
  if (static_cast<std::size_t>(batchRows_) < options_.fetchRows) {
    // A short batch is the last one: end the transaction and let the
    // connection go now rather than when the reader is destroyed.
    finished_ = true;
    command("COMMIT", "ending the read transaction", false);
    conn_.reset();
  }
}

std::optional<SourceRow> PostgresSource::next() {
  while (batchRow_ >= batchRows_) {
    if (finished_) return std::nullopt;
    fetch();
  }
  pg_result* result = batch_.get();
  const int r = batchRow_++;
  ++rowNumber_;
  SourceRow row;
  if (keyIndex_ >= 0 && PQgetisnull(result, r, keyIndex_)) {
    row.location = "row " + std::to_string(rowNumber_);
    row.malformed = "the key column '" + options_.keyColumn + "' is NULL";
    return row;
  }
  row.location = keyIndex_ >= 0 ? "key " + std::string(PQgetvalue(result, r, keyIndex_),
                                                       static_cast<std::size_t>(PQgetlength(result, r, keyIndex_)))
                                : "row " + std::to_string(rowNumber_);
  row.values.reserve(columns_.size());
  row.nulls.reserve(columns_.size());
  for (int c = 0; c < static_cast<int>(columns_.size()); ++c) {
    const bool isNull = PQgetisnull(result, r, c) != 0;
    row.nulls.push_back(isNull);
    if (isNull) {
      row.values.emplace_back();
    } else {
      row.values.emplace_back(PQgetvalue(result, r, c), static_cast<std::size_t>(PQgetlength(result, r, c)));
    }
  }
  if (watermarkIndex_ >= 0 && !row.nulls[static_cast<std::size_t>(watermarkIndex_)]) {
    lastWatermark_ = row.values[static_cast<std::size_t>(watermarkIndex_)];
  }
  return row;
}

void PostgresSource::fail(const std::string& what, const std::string& message) const {
  throw SourceError("postgresql " + sourceName_ + ": " + what + ": " + trimTrailing(message, " \r\n"));
}

}  // namespace nser::connectors
