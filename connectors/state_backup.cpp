#include "connectors/state_backup.h"

#include <Poco/JSON/Object.h>
#include <fcntl.h>
#include <rocksdb/db.h>
#include <rocksdb/utilities/checkpoint.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <ctime>
#include <fstream>
#include <memory>
#include <vector>

#include "connectors/sync_state.h"
#include "schemas/json_document.h"

namespace nser::connectors {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFormat = "nser-connector-state-backup";

// "20261127T080000Z" for names (compact) or "2026-11-27T08:00:00Z".
std::string utcStamp(bool compact) {
  const auto now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm parts{};
  gmtime_r(&now, &parts);
  char text[32];
  if (compact) {
    std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &parts);
  } else {
    std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &parts);
  }
  return text;
}

// True when a process holds RocksDB's lock on <directory>/LOCK (whole-file
// F_WRLCK). The probe's descriptor is closed before returning: closing any
// descriptor of a file drops this process's fcntl locks on it, so it must
// not stay open while this process opens the database itself.
bool inUse(const fs::path& directory) {
  const fs::path file = directory / "LOCK";
  const int fd = ::open(file.c_str(), O_RDWR | O_CLOEXEC);
  if (fd < 0) return false;
  struct flock lock {};
  lock.l_type = F_WRLCK;
  lock.l_whence = SEEK_SET;
  const bool held = ::fcntl(fd, F_GETLK, &lock) == 0 && lock.l_type != F_UNLCK;
  ::close(fd);
  return held;
}

void refuseWhileInUse(const fs::path& directory) {
  if (inUse(directory)) {
    throw StateBackupError("the connector state '" + directory.string() +
                           "' is in use (its RocksDB LOCK is held by `nser connector run` or a sync): stop the "
                           "connector first (systemctl stop nser-connector@CUSTODIAN)");
  }
}

void checkStatus(const rocksdb::Status& status, const std::string& what) {
  if (!status.ok()) throw StateBackupError(what + ": " + status.ToString());
}

// Opens the state with every column family it has and checkpoints it.
void checkpointState(const fs::path& directory, const fs::path& target) {
  rocksdb::DBOptions options;
  std::vector<std::string> names;
  checkStatus(rocksdb::DB::ListColumnFamilies(options, directory.string(), &names),
              "cannot read the connector state '" + directory.string() + "'");
  std::vector<rocksdb::ColumnFamilyDescriptor> families;
  for (const auto& name : names) families.emplace_back(name, rocksdb::ColumnFamilyOptions());
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  checkStatus(rocksdb::DB::Open(options, directory.string(), families, &handles, &raw),
              "cannot open the connector state '" + directory.string() + "'");
  std::unique_ptr<rocksdb::DB> db(raw);
  rocksdb::Checkpoint* rawCheckpoint = nullptr;
  auto status = rocksdb::Checkpoint::Create(db.get(), &rawCheckpoint);
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(rawCheckpoint);
  if (status.ok()) status = checkpoint->CreateCheckpoint(target.string(), 0);
  for (auto* handle : handles) db->DestroyColumnFamilyHandle(handle);
  db->Close();
  checkStatus(status, "checkpoint of the connector state failed");
}

std::uint64_t copyKeys(const fs::path& from, const fs::path& to) {
  fs::create_directories(to);
  fs::permissions(to, fs::perms::owner_all, fs::perm_options::replace);
  std::uint64_t count = 0;
  if (!fs::exists(from)) return count;
  for (const auto& entry : fs::directory_iterator(from)) {
    if (!entry.is_regular_file()) continue;
    const fs::path target = to / entry.path().filename();
    fs::copy_file(entry.path(), target, fs::copy_options::overwrite_existing);
    fs::permissions(target, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
    ++count;
  }
  return count;
}

void writeManifest(const fs::path& file, const StateBackupManifest& m) {
  Poco::JSON::Object json;
  json.set("format", std::string(kFormat));
  json.set("version", 1);
  json.set("created", m.created);
  json.set("custodian", m.custodian);
  json.set("records", m.records);
  json.set("next_sequence", m.nextSequence);
  json.set("key_files", m.keyFiles);
  std::ofstream out(file);
  json.stringify(out, 2);
  out << "\n";
  if (!out) throw StateBackupError("cannot write " + file.string());
}

StateBackupManifest readManifest(const fs::path& backup) {
  const fs::path file = backup / "manifest.json";
  if (!fs::exists(file) || !fs::is_directory(backup / "data")) {
    throw StateBackupError(backup.string() + " is not a connector state backup (no manifest.json and data/)");
  }
  const auto root = schemas::JsonNode::parseFile(file.string());
  root.rejectUnknownKeys({"format", "version", "created", "custodian", "records", "next_sequence", "key_files"});
  if (root.field("format").asString() != kFormat) root.field("format").fail("must be \"nser-connector-state-backup\"");
  root.field("version").asInt(1, 1);
  StateBackupManifest m;
  m.created = root.field("created").asString();
  m.custodian = root.field("custodian").asString();
  m.records = static_cast<std::uint64_t>(root.field("records").asInt(0));
  m.nextSequence = static_cast<std::uint64_t>(root.field("next_sequence").asInt(0));
  m.keyFiles = static_cast<std::uint64_t>(root.field("key_files").asInt(0));
  return m;
}

// Opens a copy of the state (never the live one) and reads what the manifest records.
std::pair<std::uint64_t, std::uint64_t> stateCounts(const fs::path& directory) {
  SyncState state(directory.string());
  return {state.recordCount(), state.nextSequence()};
}

void chownTreeLike(const fs::path& root, const fs::path& like) {
  struct stat owner {};
  if (::geteuid() != 0 || ::stat(like.c_str(), &owner) != 0) return;
  auto give = [&](const fs::path& p) {
    if (::lchown(p.c_str(), owner.st_uid, owner.st_gid) != 0) {
      throw StateBackupError("cannot change the owner of " + p.string());
    }
  };
  give(root);
  for (const auto& entry : fs::recursive_directory_iterator(root)) give(entry.path());
}

fs::path withoutTrailingSlash(const fs::path& path) { return path.filename().empty() ? path.parent_path() : path; }

}  // namespace

StateBackupManifest backupConnectorState(const fs::path& dataDirectory, const fs::path& out,
                                         const std::string& custodian) {
  const fs::path data = withoutTrailingSlash(dataDirectory);
  const fs::path target = withoutTrailingSlash(out);
  if (!fs::exists(data / "CURRENT")) {
    throw StateBackupError("no connector state in '" + data.string() + "' (has the connector synced yet?)");
  }
  if (fs::exists(target)) throw StateBackupError(target.string() + " already exists: choose a new directory");
  refuseWhileInUse(data);
  const fs::path partial = target.string() + ".partial";
  std::error_code error;
  fs::remove_all(partial, error);  // a previous attempt that died half-way
  StateBackupManifest m;
  try {
    fs::create_directories(partial);
    fs::permissions(partial, fs::perms::owner_all, fs::perm_options::replace);
    checkpointState(data, partial / "data");
    m.keyFiles = copyKeys(data / "keys", partial / "data" / "keys");
    fs::permissions(partial / "data", fs::perms::owner_all, fs::perm_options::replace);
    m.created = utcStamp(false);
    m.custodian = custodian;
    std::tie(m.records, m.nextSequence) = stateCounts(partial / "data");
    writeManifest(partial / "manifest.json", m);
    fs::rename(partial, target);
  } catch (const StateBackupError&) {
    fs::remove_all(partial, error);
    throw;
  } catch (const std::exception& e) {
    fs::remove_all(partial, error);
    throw StateBackupError(std::string("connector state backup failed: ") + e.what());
  }
  return m;
}

StateRestoreResult restoreConnectorState(const fs::path& backup, const fs::path& dataDirectory,
                                         const std::string& custodian) {
  StateRestoreResult result;
  result.manifest = readManifest(backup);
  if (result.manifest.custodian != custodian) {
    throw StateBackupError("the backup is of custodian '" + result.manifest.custodian + "', this connector is '" +
                           custodian + "'");
  }
  const fs::path data = withoutTrailingSlash(dataDirectory);
  const bool existing = fs::exists(data);
  if (existing) refuseWhileInUse(data);
  const std::string stamp = utcStamp(true);
  const fs::path staging = data.string() + ".restoring-" + stamp;
  if (fs::exists(staging)) throw StateBackupError(staging.string() + " already exists: remove it after checking it");
  try {
    fs::create_directories(staging.parent_path());
    fs::copy(backup / "data", staging, fs::copy_options::recursive);
    fs::permissions(staging, fs::perms::owner_all, fs::perm_options::replace);
    copyKeys(backup / "data" / "keys", staging / "keys");
    const auto [records, next] = stateCounts(staging);
    if (records != result.manifest.records || next != result.manifest.nextSequence) {
      throw StateBackupError("the backup's state does not match its manifest (" + std::to_string(records) +
                             " records, manifest " + std::to_string(result.manifest.records) +
                             "): the backup is damaged");
    }
    if (existing) chownTreeLike(staging, data);
  } catch (const std::exception& e) {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    if (dynamic_cast<const StateBackupError*>(&e) != nullptr) throw;
    throw StateBackupError(std::string("restore failed: ") + e.what());
  }
  if (existing) refuseWhileInUse(data);  // a connector started meanwhile
  if (existing) {
    result.movedAside = data.string() + ".replaced-" + stamp;
    for (int n = 2; fs::exists(result.movedAside); ++n) {
      result.movedAside = data.string() + ".replaced-" + stamp + "-" + std::to_string(n);
    }
    fs::rename(data, result.movedAside);
  }
  fs::rename(staging, data);
  return result;
}

}  // namespace nser::connectors
