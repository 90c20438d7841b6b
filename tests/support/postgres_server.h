// PostgresServer: a private PostgreSQL server for integration tests, from the
// Debian packages (postgresql, libpq-dev), independent of any system cluster.
//
// In a fresh TempDir it runs initdb (local socket: trust; TCP on 127.0.0.1:
// scram-sha-256), starts `postgres` on a free loopback port with the socket
// in the TempDir, waits until it answers, and creates the login role `nser`
// (with a random password) owning the database `nser`. The server is ALWAYS
// stopped (fast shutdown, then SIGTERM/SIGKILL) when the object goes away.
//
// initdb and postgres refuse to run as root: when the test runs as root (CI
// containers), both run as the `postgres` OS user through
// `setpriv --reuid --regid --init-groups` (which execs, so the managed pid is
// the postmaster itself), and the TempDir is handed to that user. setpriv
// also sets a parent-death signal, so a crashed test leaves no server behind.
//
// The server binaries come from $NSER_PG_BINDIR, else the newest
// /usr/lib/postgresql/<version>/bin. Header-only, so only test binaries that
// link libpq (through nser_connectors) pay for it.
#pragma once

#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "tests/support/process_harness.h"
#include "tests/support/temp_dir.h"

namespace nser::testing {

class PostgresServer {
 public:
  static constexpr const char* kDatabase = "nser";
  static constexpr const char* kUser = "nser";

  PostgresServer() : dir_("nser-pg"), password_(randomHex(16)) {
    const std::filesystem::path bin = binDir();
    const std::filesystem::path data = dir_ / "data";
    socketDir_ = (dir_ / "sock").string();
    std::filesystem::create_directories(data);
    std::filesystem::create_directories(socketDir_);
    const std::filesystem::path adminPasswordFile = dir_ / "admin-password";
    writeFile(adminPasswordFile, randomHex(16) + "\n");

    // setpriv --pdeathsig: if the test process dies (a crash, an ASan abort),
    // the server gets SIGINT (fast shutdown) instead of living on.
    std::vector<std::string> prefix;
    if (std::filesystem::exists("/usr/bin/setpriv")) prefix = {"--pdeathsig", "INT"};
    if (::geteuid() == 0) {
      const passwd* user = ::getpwnam("postgres");
      if (user == nullptr) throw std::runtime_error("PostgresServer: running as root needs the 'postgres' OS user");
      for (const auto& path : {dir_.path(), data, std::filesystem::path(socketDir_), adminPasswordFile}) {
        if (::chown(path.c_str(), user->pw_uid, user->pw_gid) != 0) {
          throw std::runtime_error("PostgresServer: cannot chown " + path.string());
        }
      }
      prefix.insert(prefix.end(), {"--reuid=" + std::to_string(user->pw_uid),
                                   "--regid=" + std::to_string(user->pw_gid), "--init-groups"});
    }
    if (!prefix.empty()) prefix.push_back("--");
    auto command = [&](const std::string& program, std::vector<std::string> args) {
      if (prefix.empty()) return std::make_pair(program, args);
      std::vector<std::string> all = prefix;
      all.push_back(program);
      all.insert(all.end(), args.begin(), args.end());
      return std::make_pair(std::string("/usr/bin/setpriv"), all);
    };

    const auto [initdb, initdbArgs] =
        command((bin / "initdb").string(), {"-D", data.string(), "-U", "nser_admin",
                                            "--pwfile=" + adminPasswordFile.string(), "--auth-local=trust",
                                            "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C", "--no-sync"});
    const ProcessResult init = runProcess(initdb, initdbArgs, std::chrono::seconds(120));
    if (init.exitCode != 0) throw std::runtime_error("PostgresServer: initdb failed:\n" + init.out + init.err);

    port_ = freeLoopbackPort();
    // Durability off: a test server's data dies with the test.
    const auto [postgres, postgresArgs] =
        command((bin / "postgres").string(),
                {"-D", data.string(), "-p", std::to_string(port_), "-k", socketDir_, "-c",
                 "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off", "-c",
                 "synchronous_commit=off", "-c", "max_connections=30", "-c", "shared_buffers=16MB"});
    process_ = std::make_unique<ManagedProcess>("postgres", postgres, postgresArgs, dir_ / "logs");
    const std::string admin = adminConninfo("postgres");
    if (!process_->waitUntil([&] { return PQping(admin.c_str()) == PQPING_OK; }, std::chrono::seconds(60))) {
      throw std::runtime_error("PostgresServer: " + process_->lastError() + "\n" + process_->stderrText());
    }
    run(admin, std::string("CREATE ROLE ") + kUser + " LOGIN PASSWORD '" + password_ + "'");
    run(admin, std::string("CREATE DATABASE ") + kDatabase + " OWNER " + kUser + " ENCODING 'UTF8'");
  }

  ~PostgresServer() {
    if (process_ && process_->running()) {
      ::kill(process_->pid(), SIGINT);  // fast shutdown: disconnects clients, no waiting on them
      process_->waitUntil([] { return false; }, std::chrono::seconds(15));
    }
    // ManagedProcess's destructor reaps it (SIGTERM, then SIGKILL if still there).
  }

  PostgresServer(const PostgresServer&) = delete;
  PostgresServer& operator=(const PostgresServer&) = delete;

  int port() const { return port_; }
  const std::filesystem::path& directory() const { return dir_.path(); }
  // The role `nser`'s password (needed over TCP; the socket is trusted).
  const std::string& password() const { return password_; }

  // Role `nser` on database `nser` over the unix socket (trust: no password).
  std::string conninfo() const {
    return "host=" + socketDir_ + " port=" + std::to_string(port_) + " dbname=" + kDatabase + " user=" + kUser;
  }
  // Role `nser` over TCP 127.0.0.1: a password is required.
  std::string tcpConninfo() const {
    return "host=127.0.0.1 port=" + std::to_string(port_) + " dbname=" + kDatabase + " user=" + kUser;
  }
  // The superuser over the unix socket, on `database`.
  std::string adminConninfo(const std::string& database = kDatabase) const {
    return "host=" + socketDir_ + " port=" + std::to_string(port_) + " dbname=" + database + " user=nser_admin";
  }

  // Runs SQL (one or more statements) as `nser` on `nser`; throws on error.
  void execute(const std::string& sql) const { run(conninfo(), sql); }
  void executeAsAdmin(const std::string& sql) const { run(adminConninfo(), sql); }
  // The first column of the first row of a query's result, as text.
  std::string queryValue(const std::string& sql) const {
    std::string value;
    run(conninfo(), sql, &value);
    return value;
  }

 private:
  static std::string randomHex(std::size_t bytes) {
    std::random_device random;
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string out;
    for (std::size_t i = 0; i < bytes; ++i) {
      const unsigned byte = random() & 0xffu;
      out += kDigits[byte >> 4];
      out += kDigits[byte & 0xfu];
    }
    return out;
  }

  static std::filesystem::path binDir() {
    if (const char* configured = std::getenv("NSER_PG_BINDIR"); configured != nullptr && *configured != '\0') {
      return configured;
    }
    std::filesystem::path best;
    int bestVersion = -1;
    std::error_code ignored;
    for (const auto& entry : std::filesystem::directory_iterator("/usr/lib/postgresql", ignored)) {
      const std::string name = entry.path().filename().string();
      const int version = std::atoi(name.c_str());
      if (version > bestVersion && std::filesystem::exists(entry.path() / "bin" / "initdb")) {
        bestVersion = version;
        best = entry.path() / "bin";
      }
    }
    if (best.empty()) {
      throw std::runtime_error("PostgresServer: no /usr/lib/postgresql/*/bin/initdb; install the postgresql "
                               "package (deploy/install-deps.sh) or set NSER_PG_BINDIR");
    }
    return best;
  }

  static void run(const std::string& conninfo, const std::string& sql, std::string* firstValue = nullptr) {
    PGconn* conn = PQconnectdb(conninfo.c_str());
    if (PQstatus(conn) != CONNECTION_OK) {
      const std::string message = PQerrorMessage(conn);
      PQfinish(conn);
      throw std::runtime_error("PostgresServer: connect failed: " + message);
    }
    PGresult* result = PQexec(conn, sql.c_str());
    const auto status = PQresultStatus(result);
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
      const std::string message = PQerrorMessage(conn);
      PQclear(result);
      PQfinish(conn);
      throw std::runtime_error("PostgresServer: SQL failed: " + message + "in: " + sql.substr(0, 200));
    }
    if (firstValue != nullptr && PQntuples(result) > 0 && PQnfields(result) > 0) {
      *firstValue = PQgetvalue(result, 0, 0);
    }
    PQclear(result);
    PQfinish(conn);
  }

  TempDir dir_;  // first member: removed last, after the server has stopped
  std::string password_;
  std::string socketDir_;
  int port_ = 0;
  std::unique_ptr<ManagedProcess> process_;
};

}  // namespace nser::testing
