// `nser hub --config hub.json`: runs the hub until SIGTERM or SIGINT;
// `nser hub restore|verify-backup`: offline backup restore and check.
#include <filesystem>
#include <ostream>
#include <stdexcept>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "hub/hub_backup.h"
#include "hub/hub_config.h"
#include "hub/hub_service.h"
#include "service/logging.h"
#include "service/termination_signal.h"

namespace nser::cli {

namespace {

void printManifest(const hub::HubBackupManifest& m, std::ostream& out) {
  out << "backup of " << m.hubId << " taken " << m.created << ": audit tree size " << m.auditTreeSize << ", root "
      << m.auditRoot << ", " << m.storeBytes << " store bytes, " << m.auditBytes << " audit bytes, " << m.keyFiles
      << " key files\n";
}

// `nser hub restore|verify-backup --config C --from DIR`.
int runBackupAction(const Arguments& parsed, CommandIo io) {
  const std::string action = parsed.positionals().front();
  if (parsed.positionals().size() > 1) throw UsageError("unexpected argument '" + parsed.positionals()[1] + "'");
  if (action != "restore" && action != "verify-backup") throw UsageError("unknown hub action '" + action + "'");
  const std::string from = parsed.required("from");
  try {
    const hub::HubConfig config = hub::loadHubConfig(parsed.required("config"));
    const std::filesystem::path backup = std::filesystem::absolute(from).lexically_normal();
    if (action == "verify-backup") {
      const auto scratch = backup.parent_path() / (".verify-" + backup.filename().string());
      printManifest(hub::verifyHubBackup(backup, scratch), io.out);
      io.out << "verify-backup: ok (the audit log opens and matches the manifest)\n";
      return kExitOk;
    }
    if (const auto manifest = hub::readHubBackupManifest(backup); manifest.hubId != config.hubId) {
      throw std::runtime_error("the backup is of hub '" + manifest.hubId + "', this configuration is hub '" +
                               config.hubId + "'");
    }
    const auto result = hub::restoreHubBackup(backup, config.dataDirectory);
    printManifest(result.manifest, io.out);
    io.out << "restored into " << config.dataDirectory << "\n"
           << "audit log: " << (result.keptCurrentLog ? "kept (it extends the backup's)" : "the backup's")
           << ", " << result.auditTreeSize << " entries with the restore entry\n";
    if (!result.movedAside.empty()) io.out << "previous data moved to " << result.movedAside.string() << "\n";
    return kExitOk;
  } catch (const std::exception& e) {
    io.err << "nser hub " << action << ": " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace

Command hubCommand() {
  Command command;
  command.name = "hub";
  command.summary = "Run the hub (mutual-TLS API, ingest, entity resolution, search)";
  command.help =
      "Usage: nser hub --config hub.json\n"
      "       nser hub restore --config hub.json --from BACKUP_DIR\n"
      "       nser hub verify-backup --config hub.json --from BACKUP_DIR\n\n"
      "Runs the central hub until SIGTERM or SIGINT, then stops cleanly (in-flight\n"
      "batches finish; everything acknowledged is already on disk). The configuration\n"
      "(docs/hub.md) names the listening address, the TLS files (TLS 1.3 with client\n"
      "certificates from the deployment CA), the data directory, the linkage schema,\n"
      "link settings and model, limits, and the bootstrap administrators.\n"
      "Prints 'hub: listening on https://ADDRESS:PORT' on stderr once it serves.\n\n"
      "restore (offline: refuses while the hub runs) moves the data directory aside to\n"
      "DATA.replaced-TIME and puts the backup (`nser admin backup`) in its place, after\n"
      "checking its audit log against the backup's manifest; the current audit log is\n"
      "kept when it extends the backup's. verify-backup makes that check on a scratch\n"
      "copy beside the backup. Details: docs/backup-restore.md.\n";
  command.run = [](const std::vector<std::string>& args, CommandIo io) {
    const Arguments parsed = Arguments::parse(args, {{"config"}, {"from"}});
    if (!parsed.positionals().empty()) return runBackupAction(parsed, io);
    if (parsed.has("from")) throw UsageError("--from belongs to restore and verify-backup");
    service::blockTerminationSignals();
    try {
      const hub::HubConfig config = hub::loadHubConfig(parsed.required("config"));
      service::configureLogging(config.logging);
      hub::HubService hub(config);
      hub.start();
      io.err << "hub: listening on https://" << config.listenAddress << ":" << hub.port() << std::endl;
      service::logEvent(Poco::Logger::get("hub"), Poco::Message::PRIO_NOTICE, "hub started",
                        {{"address", config.listenAddress}, {"port", std::to_string(hub.port())},
                         {"data_directory", config.dataDirectory}});
      const int signal = service::waitForTerminationSignal();
      service::logEvent(Poco::Logger::get("hub"), Poco::Message::PRIO_NOTICE, "stopping",
                        {{"signal", std::to_string(signal)}});
      hub.stop();
      io.err << "hub: stopped" << std::endl;
      return kExitOk;
    } catch (const UsageError&) {
      throw;
    } catch (const std::exception& e) {
      io.err << "nser hub: " << e.what() << "\n";
      return kExitFailure;
    }
  };
  return command;
}

}  // namespace nser::cli
