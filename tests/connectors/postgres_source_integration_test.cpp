// PostgresSource against a real, private PostgreSQL server (PostgresServer):
// full scans with NULLs and Urdu/Roman Urdu text, a quoted identifier, query
// sources, watermark increments, key listing, errors and password files, and
// cursor streaming with bounded fetches.
#include "connectors/postgres_source.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <thread>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/support/postgres_server.h"
#include "tests/support/temp_dir.h"

namespace nser::connectors {
namespace {

using nser::testing::PostgresServer;

constexpr int kRows = 3000;
// The table name carries a single quote and a column a double quote: both
// must survive identifier quoting.
constexpr const char* kTable = "public.bisp's people";
const char* const kUrdu[] = {"محمد علی", "فاطمہ بی بی", "عائشہ خان"};
const char* const kRoman[] = {"Muhammad Ali", "Fatima Bibi", "Ayesha Khan"};

class PostgresSourceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new PostgresServer();
    // updated_at: a permutation of minutes (7919 is prime to 3000) so that
    // watermark order differs from key order.
    server_->execute(
        "CREATE TABLE \"bisp's people\" (id bigint PRIMARY KEY, name_ur text NOT NULL, name_roman text NOT NULL,"
        " \"guardian \"\"name\"\"\" text, dob date, updated_at timestamptz NOT NULL);"
        "INSERT INTO \"bisp's people\" SELECT i,"
        " (ARRAY['محمد علی','فاطمہ بی بی','عائشہ خان'])[1 + i % 3],"
        " (ARRAY['Muhammad Ali','Fatima Bibi','Ayesha Khan'])[1 + i % 3],"
        " CASE WHEN i % 7 = 0 THEN NULL ELSE 'guardian ' || i END,"
        " CASE WHEN i % 11 = 0 THEN NULL ELSE date '1980-01-01' + i::int END,"
        " timestamptz '2026-01-01 00:00:00+00' + ((i * 7919) % 3000) * interval '1 minute'"
        " FROM generate_series(1, 3000) AS i;"
        "CREATE TABLE big (id bigint PRIMARY KEY, payload text NOT NULL);"
        "INSERT INTO big SELECT i, repeat('x', 64) FROM generate_series(1, 50000) AS i;");
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }

  static PostgresSourceOptions tableOptions() {
    PostgresSourceOptions options;
    options.connection = server_->conninfo();
    options.table = kTable;
    options.keyColumn = "id";
    return options;
  }

  static std::vector<SourceRow> readAll(SourceReader& source) {
    std::vector<SourceRow> rows;
    while (auto row = source.next()) rows.push_back(std::move(*row));
    return rows;
  }

  static PostgresServer* server_;
};

PostgresServer* PostgresSourceTest::server_ = nullptr;

TEST_F(PostgresSourceTest, FullScanReturnsEveryRowWithValuesAndNulls) {
  PostgresSource source(tableOptions());
  EXPECT_EQ(source.describe(), "postgresql table public.bisp's people");
  const std::vector<std::string> expectedColumns{"id", "name_ur", "name_roman", "guardian \"name\"", "dob",
                                                 "updated_at"};
  ASSERT_EQ(source.columns(), expectedColumns);

  std::set<long> seen;
  for (const SourceRow& row : readAll(source)) {
    ASSERT_TRUE(row.malformed.empty()) << row.location;
    ASSERT_EQ(row.values.size(), 6u);
    ASSERT_EQ(row.nulls.size(), 6u);
    const long id = std::stol(row.values[0]);
    EXPECT_EQ(row.location, "key " + std::to_string(id));
    EXPECT_TRUE(seen.insert(id).second) << "duplicate " << id;
    EXPECT_EQ(row.values[1], kUrdu[id % 3]);
    EXPECT_EQ(row.values[2], kRoman[id % 3]);
    EXPECT_EQ(row.nulls[3], id % 7 == 0);
    EXPECT_EQ(row.values[3], id % 7 == 0 ? "" : "guardian " + std::to_string(id));
    EXPECT_EQ(row.nulls[4], id % 11 == 0);
    if (id % 11 == 0) {
      EXPECT_EQ(row.values[4], "");
    }
    if (id == 1) {
      EXPECT_EQ(row.values[4], "1980-01-02");                  // ISO dates whatever the server's DateStyle
      EXPECT_EQ(row.values[5], "2026-01-02 07:59:00+00");      // 1919 minutes, in UTC
    }
    EXPECT_FALSE(row.nulls[0] || row.nulls[1] || row.nulls[2] || row.nulls[5]);
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kRows));
  EXPECT_EQ(*seen.begin(), 1);
  EXPECT_EQ(*seen.rbegin(), kRows);
  EXPECT_FALSE(source.lastWatermark().has_value());
  EXPECT_FALSE(source.next().has_value());  // stays at the end
}

TEST_F(PostgresSourceTest, QuerySourceWrapsTheSelect) {
  PostgresSourceOptions options;
  options.connection = server_->conninfo();
  options.query = "SELECT id, name_roman AS name FROM \"bisp's people\" WHERE id <= 10 ORDER BY id -- ten rows\n;\n";
  options.keyColumn = "id";
  PostgresSource source(options);
  EXPECT_EQ(source.describe(), "postgresql query");
  EXPECT_EQ(source.columns(), (std::vector<std::string>{"id", "name"}));
  const auto rows = readAll(source);
  ASSERT_EQ(rows.size(), 10u);
  for (int i = 0; i < 10; ++i) {
    EXPECT_EQ(rows[static_cast<std::size_t>(i)].location, "key " + std::to_string(i + 1));
    EXPECT_EQ(rows[static_cast<std::size_t>(i)].values[1], kRoman[(i + 1) % 3]);
  }
}

TEST_F(PostgresSourceTest, QuerySourceWithWatermark) {
  PostgresSourceOptions options;
  options.connection = server_->conninfo();
  options.query = "SELECT id, updated_at AS changed FROM \"bisp's people\" WHERE id % 2 = 0";
  options.keyColumn = "id";
  options.watermarkColumn = "changed";
  options.watermarkAfter = "2026-01-03 00:00:00+00";
  PostgresSource source(options);
  const auto rows = readAll(source);
  ASSERT_FALSE(rows.empty());
  EXPECT_LT(rows.size(), 119u);  // the even ids among minutes 2881..2999
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(std::stol(rows[i].values[0]) % 2, 0);
    EXPECT_GT(rows[i].values[1], "2026-01-03 00:00:00+00");
    if (i > 0) {
      EXPECT_LT(rows[i - 1].values[1], rows[i].values[1]);
    }
  }
  EXPECT_EQ(source.lastWatermark(), std::optional<std::string>(rows.back().values[1]));
}

TEST_F(PostgresSourceTest, LostConnectionIsASourceError) {
  PostgresSourceOptions options;
  options.connection = server_->conninfo();
  options.table = "big";
  options.keyColumn = "id";
  options.fetchRows = 100;
  PostgresSource source(options);
  ASSERT_TRUE(source.next().has_value());
  server_->executeAsAdmin(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'nser-connector'");
  try {
    while (source.next()) {
    }
    FAIL() << "read past a terminated connection";
  } catch (const SourceError& error) {
    EXPECT_NE(std::string(error.what()).find("postgresql table big: reading rows"), std::string::npos)
        << error.what();
  }
}

TEST_F(PostgresSourceTest, NullKeyIsAMalformedRowAndReadingGoesOn) {
  PostgresSourceOptions options;
  options.connection = server_->conninfo();
  options.query = "SELECT * FROM (VALUES (1, 'a'), (NULL, 'b'), (3, 'c')) AS t(id, v)";
  options.keyColumn = "id";
  PostgresSource source(options);
  const auto rows = readAll(source);
  ASSERT_EQ(rows.size(), 3u);
  EXPECT_EQ(rows[0].location, "key 1");
  EXPECT_TRUE(rows[0].malformed.empty());
  EXPECT_EQ(rows[1].location, "row 2");
  EXPECT_NE(rows[1].malformed.find("NULL"), std::string::npos);
  EXPECT_TRUE(rows[1].values.empty());
  EXPECT_EQ(rows[2].location, "key 3");
}

TEST_F(PostgresSourceTest, WatermarkFirstSyncReturnsAllRowsInWatermarkOrder) {
  auto options = tableOptions();
  options.watermarkColumn = "updated_at";
  options.fetchRows = 128;
  PostgresSource source(options);
  EXPECT_FALSE(source.lastWatermark().has_value());
  const auto rows = readAll(source);
  ASSERT_EQ(rows.size(), static_cast<std::size_t>(kRows));
  for (std::size_t i = 1; i < rows.size(); ++i) {
    ASSERT_LT(rows[i - 1].values[5], rows[i].values[5]) << "not in watermark order at " << i;  // same-width ISO text
  }
  EXPECT_EQ(rows.front().values[5], "2026-01-01 00:00:00+00");
  ASSERT_TRUE(source.lastWatermark().has_value());
  EXPECT_EQ(*source.lastWatermark(), "2026-01-03 01:59:00+00");  // minute 2999
}

TEST_F(PostgresSourceTest, WatermarkAfterReturnsOnlyStrictlyNewerRows) {
  // Minute 2880 exists; strictly greater leaves minutes 2881..2999. The bound
  // is compared as a timestamptz (a bound parameter), so another spelling of
  // the same instant gives the same rows.
  for (const std::string after : {"2026-01-03 00:00:00+00", "2026-01-03T05:00:00+05"}) {
    auto options = tableOptions();
    options.watermarkColumn = "updated_at";
    options.watermarkAfter = after;
    PostgresSource source(options);
    const auto rows = readAll(source);
    ASSERT_EQ(rows.size(), 119u) << after;
    EXPECT_EQ(rows.front().values[5], "2026-01-03 00:01:00+00");
    for (std::size_t i = 1; i < rows.size(); ++i) ASSERT_LT(rows[i - 1].values[5], rows[i].values[5]);
    EXPECT_EQ(source.lastWatermark(), std::optional<std::string>("2026-01-03 01:59:00+00"));
  }
}

TEST_F(PostgresSourceTest, IncrementalSyncSeesInsertsAndUpdatesThatAdvanceTheWatermark) {
  server_->execute(
      "CREATE TABLE changes (id int PRIMARY KEY, v text, version bigint NOT NULL);"
      "INSERT INTO changes VALUES (1, 'a', 10), (2, 'b', 20), (3, 'c', 30);");
  PostgresSourceOptions options;
  options.connection = server_->conninfo();
  options.table = "changes";
  options.keyColumn = "id";
  options.watermarkColumn = "version";
  std::optional<std::string> watermark;
  {
    PostgresSource first(options);
    EXPECT_EQ(readAll(first).size(), 3u);
    watermark = first.lastWatermark();
  }
  ASSERT_EQ(watermark, std::optional<std::string>("30"));

  // 100 > 30 compares as bigint: as text "100" < "30" would miss it.
  server_->execute("UPDATE changes SET v = 'a2', version = 100 WHERE id = 1; INSERT INTO changes VALUES (4, 'd', 40);"
                   "UPDATE changes SET v = 'silent' WHERE id = 2;");
  options.watermarkAfter = watermark;
  PostgresSource second(options);
  const auto rows = readAll(second);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].location, "key 4");
  EXPECT_EQ(rows[1].location, "key 1");
  EXPECT_EQ(rows[1].values[1], "a2");
  EXPECT_EQ(second.lastWatermark(), std::optional<std::string>("100"));

  // Nothing new: the watermark stays.
  options.watermarkAfter = second.lastWatermark();
  PostgresSource third(options);
  EXPECT_FALSE(third.next().has_value());
  EXPECT_EQ(third.lastWatermark(), std::optional<std::string>("100"));
}

TEST_F(PostgresSourceTest, KeysOnlyListsEveryKeyAndNothingElse) {
  auto options = tableOptions();
  options.watermarkColumn = "updated_at";
  options.watermarkAfter = "2026-01-03 00:00:00+00";  // ignored: the reconcile needs all keys
  options.fetchRows = 500;
  auto keys = PostgresSource::keysOnly(options);
  EXPECT_EQ(keys->columns(), std::vector<std::string>{"id"});
  std::set<std::string> seen;
  while (auto row = keys->next()) {
    ASSERT_EQ(row->values.size(), 1u);
    EXPECT_EQ(row->location, "key " + row->values[0]);
    seen.insert(row->values[0]);
  }
  EXPECT_EQ(seen.size(), static_cast<std::size_t>(kRows));
  EXPECT_TRUE(seen.count("1") && seen.count("3000"));
  EXPECT_EQ(keys->fetchCount(), 7u);  // 6 full batches of 500, then an empty one

  PostgresSourceOptions noKey = tableOptions();
  noKey.keyColumn.clear();
  EXPECT_THROW(PostgresSource::keysOnly(noKey), SourceError);
}

TEST_F(PostgresSourceTest, StreamsLargeTablesInFetchSizedBatches) {
  PostgresSourceOptions options;
  options.connection = server_->conninfo();
  options.table = "public.big";
  options.keyColumn = "id";
  options.fetchRows = 1000;
  PostgresSource source(options);
  EXPECT_EQ(source.fetchCount(), 1u);  // the constructor's first batch only
  std::size_t rows = 0;
  std::size_t maxFetchesAhead = 0;
  while (auto row = source.next()) {
    ++rows;
    // Never more than the current batch has been fetched.
    const std::size_t needed = (rows + options.fetchRows - 1) / options.fetchRows;
    maxFetchesAhead = std::max(maxFetchesAhead, source.fetchCount() - needed);
  }
  EXPECT_EQ(rows, 50000u);
  EXPECT_EQ(maxFetchesAhead, 0u);
  EXPECT_EQ(source.fetchCount(), 51u);  // 50 full batches, then the empty one that ends it
}

TEST_F(PostgresSourceTest, BadTableNameGivesSourceErrorNamingIt) {
  auto options = tableOptions();
  options.table = "public.no_such_table";
  try {
    PostgresSource source(options);
    FAIL() << "no error";
  } catch (const SourceError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("table public.no_such_table"), std::string::npos) << message;
    EXPECT_NE(message.find("does not exist"), std::string::npos) << message;
  }
}

TEST_F(PostgresSourceTest, IdentifiersAndWatermarkCannotInjectSql) {
  auto options = tableOptions();
  options.table = "public.big\"; DROP TABLE big; --";
  EXPECT_THROW(PostgresSource{options}, SourceError);

  options = tableOptions();
  options.watermarkColumn = "updated_at";
  options.watermarkAfter = "2026-01-01'; DROP TABLE big; --";
  EXPECT_THROW(PostgresSource{options}, SourceError);  // not a timestamptz

  options = tableOptions();
  options.keyColumn = "id\" FROM big; --";
  EXPECT_THROW(PostgresSource{options}, SourceError);  // no such column
  EXPECT_EQ(server_->queryValue("SELECT count(*) FROM big"), "50000");
}

TEST_F(PostgresSourceTest, UnknownKeyColumnIsAnError) {
  auto options = tableOptions();
  options.keyColumn = "cnic";
  EXPECT_THROW(PostgresSource{options}, SourceError);
  options = tableOptions();
  options.table.clear();
  EXPECT_THROW(PostgresSource{options}, SourceError);  // neither table nor query
}

TEST_F(PostgresSourceTest, PasswordFileMustBePrivateAndIsNeverInErrors) {
  nser::testing::TempDir dir("nser-pg-secret");
  const auto passwordFile = dir / "password";
  nser::testing::writeFile(passwordFile, server_->password() + "\n");

  auto options = tableOptions();
  options.connection = server_->tcpConninfo();  // TCP requires the password
  options.passwordFile = passwordFile.string();

  ASSERT_EQ(::chmod(passwordFile.c_str(), 0644), 0);
  try {
    PostgresSource source(options);
    FAIL() << "a group/world-readable password file was accepted";
  } catch (const SourceError& error) {
    EXPECT_NE(std::string(error.what()).find("group or others"), std::string::npos) << error.what();
  }

  ASSERT_EQ(::chmod(passwordFile.c_str(), 0600), 0);
  {
    PostgresSource source(options);
    EXPECT_TRUE(source.next().has_value());
  }

  // Without the file, TCP is refused; with a wrong password too, and the
  // error carries neither password.
  options.passwordFile.clear();
  EXPECT_THROW(PostgresSource{options}, SourceError);
  const std::string wrong = "wrong-" + server_->password();
  nser::testing::writeFile(passwordFile, wrong + "\n");
  options.passwordFile = passwordFile.string();
  try {
    PostgresSource source(options);
    FAIL() << "a wrong password was accepted";
  } catch (const SourceError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("password authentication failed"), std::string::npos) << message;
    EXPECT_EQ(message.find(server_->password()), std::string::npos);
  }
}

TEST_F(PostgresSourceTest, ErrorsWhileReadingRowsDoNotCarryValues) {
  PostgresSourceOptions options;
  options.connection = server_->conninfo();
  // The cast fails at execution time, on a row's value.
  options.query = "SELECT id, name_roman::date AS d FROM \"bisp's people\"";
  options.keyColumn = "id";
  try {
    PostgresSource source(options);
    while (source.next()) {
    }
    FAIL() << "no error";
  } catch (const SourceError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("postgresql query"), std::string::npos) << message;
    EXPECT_NE(message.find("reading rows"), std::string::npos) << message;  // raised by a FETCH
    EXPECT_EQ(message.find("Muhammad"), std::string::npos) << message;
    EXPECT_EQ(message.find("Fatima"), std::string::npos) << message;
    EXPECT_EQ(message.find("Ayesha"), std::string::npos) << message;
  }
}

// The harness itself: a test process that dies without running destructors
// (a crash) must not leave its server running.
TEST(PostgresServerTest, ServerStopsWhenTheTestProcessDies) {
  int fds[2];
  ASSERT_EQ(::pipe(fds), 0);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::close(fds[0]);
    auto* server = new PostgresServer();  // never destroyed: _exit below
    const std::string info = server->adminConninfo("postgres") + "\n" + server->directory().string() + "\n";
    if (::write(fds[1], info.data(), info.size()) != static_cast<ssize_t>(info.size())) ::_exit(1);
    ::_exit(0);
  }
  ::close(fds[1]);
  std::string info;
  char buffer[512];
  for (ssize_t got; (got = ::read(fds[0], buffer, sizeof buffer)) > 0;) {
    info.append(buffer, static_cast<std::size_t>(got));
  }
  ::close(fds[0]);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "the child could not start a server";
  const auto newline = info.find('\n');
  ASSERT_NE(newline, std::string::npos);
  const std::string conninfo = info.substr(0, newline);
  const std::string directory = info.substr(newline + 1, info.size() - newline - 2);

  bool stopped = false;
  for (int i = 0; i < 300 && !stopped; ++i) {
    stopped = PQping(conninfo.c_str()) == PQPING_NO_RESPONSE;
    if (!stopped) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_TRUE(stopped) << "the server outlived its test process";
  std::this_thread::sleep_for(std::chrono::milliseconds(500));  // let the postmaster finish exiting
  std::error_code ignored;
  std::filesystem::remove_all(directory, ignored);
}

}  // namespace
}  // namespace nser::connectors
