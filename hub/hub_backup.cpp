#include "hub/hub_backup.h"

#include <Poco/JSON/Object.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <rocksdb/utilities/checkpoint.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <mutex>
#include <optional>
#include <sstream>
#include <system_error>
#include <vector>

#include "schemas/json_document.h"

namespace nser::hub {
namespace {

namespace fs = std::filesystem;

constexpr const char* kFormat = "nser-hub-backup";

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

void checkpoint(rocksdb::DB& db, const fs::path& target, const std::string& what) {
  rocksdb::Checkpoint* raw = nullptr;
  auto status = rocksdb::Checkpoint::Create(&db, &raw);
  std::unique_ptr<rocksdb::Checkpoint> owner(raw);
  // log_size_for_flush 0: flush the memtables first, so the checkpoint is
  // table files only (hard links where the filesystem allows).
  if (status.ok()) status = owner->CreateCheckpoint(target.string(), 0);
  if (!status.ok()) throw BackupError("checkpoint of the " + what + " failed: " + status.ToString());
}

std::uint64_t directoryBytes(const fs::path& directory, const std::vector<fs::path>& skip = {}) {
  std::uint64_t total = 0;
  for (auto it = fs::recursive_directory_iterator(directory); it != fs::recursive_directory_iterator(); ++it) {
    bool skipped = false;
    for (const auto& s : skip) skipped = skipped || it->path() == s;
    if (skipped) {
      it.disable_recursion_pending();
      continue;
    }
    if (it->is_regular_file()) total += it->file_size();
  }
  return total;
}

// Copies <data>/keys (the hub's signing keys) with owner-only permissions.
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

// Opens a copy of an audit log and reads its size and root.
std::pair<std::uint64_t, std::string> auditState(const fs::path& directory) {
  audit::AuditLog log(directory);
  const std::uint64_t size = log.size();
  const std::string root = audit::hashToHex(log.root(size));
  log.close();
  return {size, root};
}

void writeManifest(const fs::path& file, const HubBackupManifest& m) {
  Poco::JSON::Object json;
  json.set("format", std::string(kFormat));
  json.set("version", 1);
  json.set("created", m.created);
  json.set("hub_id", m.hubId);
  json.set("store_bytes", m.storeBytes);
  json.set("audit_bytes", m.auditBytes);
  json.set("key_files", m.keyFiles);
  json.set("audit_tree_size", m.auditTreeSize);
  json.set("audit_root", m.auditRoot);
  std::ofstream out(file);
  json.stringify(out, 2);
  out << "\n";
  if (!out) throw BackupError("cannot write " + file.string());
}

// Holds the fcntl lock RocksDB takes on <directory>/LOCK, proving no process
// has the database open. RocksDB locks the whole file with F_SETLK/F_WRLCK.
class DatabaseLock {
 public:
  DatabaseLock(const fs::path& directory, const std::string& what) {
    const fs::path file = directory / "LOCK";
    if (!fs::exists(file)) return;
    fd_ = ::open(file.c_str(), O_RDWR | O_CLOEXEC);
    if (fd_ < 0) throw BackupError("cannot open " + file.string() + ": " + std::strerror(errno));
    struct flock lock {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    if (::fcntl(fd_, F_SETLK, &lock) != 0) {
      ::close(fd_);
      fd_ = -1;
      throw BackupError(what + " '" + directory.string() +
                        "' is in use (its RocksDB LOCK is held): stop the hub first (systemctl stop nser-hub)");
    }
  }
  ~DatabaseLock() {
    if (fd_ >= 0) ::close(fd_);
  }
  DatabaseLock(const DatabaseLock&) = delete;
  DatabaseLock& operator=(const DatabaseLock&) = delete;

 private:
  int fd_ = -1;
};

// Gives every file under `root` the owner of `like` (a restore run as root
// for a hub that runs as its own user).
void chownTreeLike(const fs::path& root, const fs::path& like) {
  struct stat owner {};
  if (::geteuid() != 0 || ::stat(like.c_str(), &owner) != 0) return;
  auto give = [&](const fs::path& p) {
    if (::lchown(p.c_str(), owner.st_uid, owner.st_gid) != 0) {
      throw BackupError("cannot change the owner of " + p.string() + ": " + std::strerror(errno));
    }
  };
  give(root);
  for (const auto& entry : fs::recursive_directory_iterator(root)) give(entry.path());
}

void stageCopy(const fs::path& backup, const fs::path& staging, const HubBackupManifest& manifest) {
  fs::create_directories(staging.parent_path());
  fs::copy(backup / "data", staging, fs::copy_options::recursive);
  fs::permissions(staging, fs::perms::owner_all, fs::perm_options::replace);
  copyKeys(backup / "data" / "keys", staging / "keys");
  const auto [size, root] = auditState(staging / "audit");
  if (size != manifest.auditTreeSize || root != manifest.auditRoot) {
    throw BackupError("the backup's audit log does not match its manifest (tree size " + std::to_string(size) +
                      ", manifest " + std::to_string(manifest.auditTreeSize) + "): the backup is damaged");
  }
}

// The audit log is never rolled back when the current one still extends the
// backup's (same root at the backup's size): it is kept, so auditors and
// witnesses see one append-only history. Works on a copy; the current data
// directory is left as it was. Returns whether the current log was adopted.
bool adoptCurrentLog(const fs::path& currentAudit, const fs::path& staging, const HubBackupManifest& manifest) {
  if (!fs::exists(currentAudit / "CURRENT")) return false;
  const fs::path copy = staging / "audit.current";
  try {
    fs::copy(currentAudit, copy, fs::copy_options::recursive);
    fs::remove(copy / "LOCK");
    bool extends = false;
    {
      audit::AuditLog log(copy);
      extends = log.size() >= manifest.auditTreeSize &&
                audit::hashToHex(log.root(manifest.auditTreeSize)) == manifest.auditRoot;
      log.close();
    }
    if (!extends) {
      fs::remove_all(copy);
      return false;
    }
    fs::remove_all(staging / "audit");
    fs::rename(copy, staging / "audit");
    return true;
  } catch (const std::exception&) {
    // A damaged current log: the backup's is used.
    std::error_code ignored;
    fs::remove_all(copy, ignored);
    return false;
  }
}

// Records the restore itself in the log the restored hub will serve.
std::uint64_t recordRestore(const fs::path& audit, const fs::path& backup, const HubBackupManifest& manifest,
                            bool keptCurrentLog) {
  audit::AuditLog log(audit);
  Poco::JSON::Object details;
  details.set("action", std::string("restore"));
  details.set("backup", backup.filename().string());
  details.set("backup_created", manifest.created);
  details.set("backup_audit_tree_size", manifest.auditTreeSize);
  details.set("audit_log", std::string(keptCurrentLog ? "kept" : "from_backup"));
  std::ostringstream text;
  details.stringify(text);
  audit::AuditEntry entry;
  entry.kind = "admin";
  entry.timeMillis =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
          .count();
  entry.actor = "operator";
  entry.details = text.str();
  log.append(entry);
  const std::uint64_t size = log.size();
  log.close();
  return size;
}

std::mutex& backupMutex() {
  static std::mutex mutex;
  return mutex;
}

}  // namespace

HubBackupResult createHubBackup(rocksdb::DB& store, rocksdb::DB& auditLog, const fs::path& dataDirectory,
                                const fs::path& backupRoot, const std::string& hubId) {
  std::lock_guard guard(backupMutex());
  std::error_code error;
  fs::create_directories(backupRoot, error);
  if (error) throw BackupError("cannot create the backup directory " + backupRoot.string() + ": " + error.message());
  std::string name = "hub-" + utcStamp(true);
  for (int n = 2; fs::exists(backupRoot / name) || fs::exists(backupRoot / (name + ".partial")); ++n) {
    name = "hub-" + utcStamp(true) + "-" + std::to_string(n);
  }
  const fs::path partial = backupRoot / (name + ".partial");
  const fs::path final = backupRoot / name;
  HubBackupResult result;
  result.path = final;
  try {
    fs::create_directory(partial);
    fs::permissions(partial, fs::perms::owner_all, fs::perm_options::replace);
    const fs::path data = partial / "data";
    HubBackupManifest& m = result.manifest;
    m.created = utcStamp(false);
    m.hubId = hubId;
    // Store first, then the audit log: the log then covers the store's changes.
    checkpoint(store, data, "hub store");
    checkpoint(auditLog, data / "audit", "audit log");
    m.keyFiles = copyKeys(dataDirectory / "keys", data / "keys");
    fs::permissions(data, fs::perms::owner_all, fs::perm_options::replace);
    m.storeBytes = directoryBytes(data, {data / "audit", data / "keys"});
    m.auditBytes = directoryBytes(data / "audit");
    std::tie(m.auditTreeSize, m.auditRoot) = auditState(data / "audit");
    writeManifest(partial / "manifest.json", m);
    fs::rename(partial, final);
  } catch (const std::exception& e) {
    fs::remove_all(partial, error);
    if (dynamic_cast<const BackupError*>(&e) != nullptr) throw;
    throw BackupError(std::string("backup failed: ") + e.what());
  }
  return result;
}

HubBackupManifest readHubBackupManifest(const fs::path& backup) {
  const fs::path file = backup / "manifest.json";
  if (!fs::exists(file)) {
    throw BackupError(backup.string() + " is not a hub backup (no manifest.json; a '.partial' backup is incomplete)");
  }
  if (!fs::is_directory(backup / "data")) throw BackupError(backup.string() + ": the backup has no data directory");
  const auto root = schemas::JsonNode::parseFile(file.string());
  root.rejectUnknownKeys({"format", "version", "created", "hub_id", "store_bytes", "audit_bytes", "key_files",
                          "audit_tree_size", "audit_root"});
  if (root.field("format").asString() != kFormat) root.field("format").fail("must be \"nser-hub-backup\"");
  root.field("version").asInt(1, 1);
  HubBackupManifest m;
  m.created = root.field("created").asString();
  m.hubId = root.field("hub_id").asString();
  m.storeBytes = static_cast<std::uint64_t>(root.field("store_bytes").asInt(0));
  m.auditBytes = static_cast<std::uint64_t>(root.field("audit_bytes").asInt(0));
  m.keyFiles = static_cast<std::uint64_t>(root.field("key_files").asInt(0));
  m.auditTreeSize = static_cast<std::uint64_t>(root.field("audit_tree_size").asInt(0));
  m.auditRoot = root.field("audit_root").asString();
  return m;
}

HubBackupManifest verifyHubBackup(const fs::path& backup, const fs::path& scratch) {
  const HubBackupManifest manifest = readHubBackupManifest(backup);
  if (fs::exists(scratch)) throw BackupError("the scratch directory " + scratch.string() + " already exists");
  try {
    stageCopy(backup, scratch, manifest);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(scratch, ignored);
    throw;
  }
  fs::remove_all(scratch);
  return manifest;
}

HubRestoreResult restoreHubBackup(const fs::path& backup, const fs::path& dataDirectory) {
  HubRestoreResult result;
  result.manifest = readHubBackupManifest(backup);
  const fs::path data = dataDirectory.filename().empty() ? dataDirectory.parent_path() : dataDirectory;
  const bool existing = fs::exists(data);
  std::optional<DatabaseLock> storeLock, auditLock;
  if (existing) {
    storeLock.emplace(data, "the hub data directory");
    auditLock.emplace(data / "audit", "the hub audit log");
  }
  const std::string stamp = utcStamp(true);
  const fs::path staging = data.string() + ".restoring-" + stamp;
  if (fs::exists(staging)) throw BackupError(staging.string() + " already exists: remove it after checking it");
  try {
    stageCopy(backup, staging, result.manifest);
    result.keptCurrentLog = existing && adoptCurrentLog(data / "audit", staging, result.manifest);
    result.auditTreeSize = recordRestore(staging / "audit", backup, result.manifest, result.keptCurrentLog);
    if (existing) chownTreeLike(staging, data);
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    throw;
  }
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

}  // namespace nser::hub
