// `nser connector --config connector.json [sync|run|status|quarantine]`.
#include <atomic>
#include <iomanip>
#include <ostream>
#include <thread>
#include <unistd.h>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "connectors/attribute_server.h"
#include "connectors/connector_config.h"
#include "connectors/connector_keys.h"
#include "connectors/connector_metrics.h"
#include "connectors/hub_profile.h"
#include "connectors/programme_gateway.h"
#include "connectors/source_factory.h"
#include "connectors/source_mapping.h"
#include "connectors/state_backup.h"
#include "connectors/sync_engine.h"
#include "connectors/sync_progress.h"
#include "connectors/sync_state.h"
#include "service/logging.h"
#include "service/termination_signal.h"

namespace nser::cli {
namespace {

void printReport(const connectors::SyncReport& r, std::ostream& out) {
  out << (r.incremental ? "incremental " : "full ") << "rows=" << r.rows << " upserts=" << r.upserts << " unchanged=" << r.unchanged << " deletions=" << r.deletions
      << " quarantined=" << r.quarantined << " released=" << r.released << " batches=" << r.batches
      << " resumed_batches=" << r.resumedBatches << " retries=" << r.retries << std::fixed << std::setprecision(2)
      << " seconds=" << r.seconds << "\n";
}

std::string utc(std::int64_t seconds) {
  if (seconds == 0) return "never";
  const auto time = static_cast<std::time_t>(seconds);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&time));
  return text;
}

// The persisted counters (connectors/connector_metrics.h), for `status`.
void printTotals(const connectors::ConnectorMetrics& metrics, std::ostream& out) {
  const auto t = metrics.snapshot();
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  const auto lag = metrics.lag(now);
  out << "last sync started: " << utc(t.lastSyncStart) << "\n"
      << "last sync ended:   " << utc(t.lastSyncEnd) << (t.lastOutcome.empty() ? "" : " (" + t.lastOutcome + ")")
      << "\n"
      << "last success:      " << utc(t.lastSuccess) << "\n"
      << "lag:               " << (lag ? std::to_string(*lag) + " s since the last successful sync" : "no successful sync")
      << "\n";
  if (!t.watermark.empty()) {
    const auto watermarkLag = connectors::ConnectorMetrics::watermarkLag(t.watermark, now);
    out << "source watermark:  " << t.watermark
        << (watermarkLag ? " (" + std::to_string(*watermarkLag) + " s ago)" : std::string()) << "\n";
  }
  out << "syncs:             " << t.syncsOk << " ok, " << t.syncsFailed << " failed\n"
      << "totals:            " << t.recordsSeen << " rows seen, " << t.recordsEncoded << " encoded, "
      << t.recordsPushed << " pushed, " << t.tombstonesPushed << " tombstones pushed, " << t.quarantined
      << " quarantined\n"
      << "batches:           " << t.batchesSent << " sent, " << t.batchRetries << " retries, " << t.hubRefusals
      << " refused by the hub\n";
}

// RFC 4180: quoted when it holds a comma, quote or line break.
std::string csvField(const std::string& value) {
  if (value.find_first_of(",\"\r\n") == std::string::npos) return value;
  std::string quoted = "\"";
  for (const char c : value) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

int syncOnce(const connectors::ConnectorConfig& config, connectors::SyncState& state, CommandIo io, bool interactive,
             bool incremental) {
  const auto mapping = connectors::loadSourceMapping(config.mappingPath);
  connectors::SyncProgress progress(io.err, interactive);
  connectors::SyncEngine engine(
      config, state,
      [&](const std::optional<std::string>& after) {
        return connectors::openSource(config.sourceConfig, mapping.keyColumn, after);
      },
      [&](const connectors::SyncReport& r) { progress.update(r); });
  const auto report = engine.run(incremental);
  progress.finish(report);
  io.out << "sync: ";
  printReport(report, io.out);
  service::logEvent(Poco::Logger::get("connector.sync"), Poco::Message::PRIO_NOTICE, "sync finished",
                    {{"rows", std::to_string(report.rows)}, {"upserts", std::to_string(report.upserts)},
                     {"deletions", std::to_string(report.deletions)},
                     {"quarantined", std::to_string(report.quarantined)}});
  return kExitOk;
}

// `backup --out DIR` / `restore --from DIR` (connectors/state_backup.h):
// before the state is opened here, which would hold its lock.
int runStateBackup(const std::string& action, const Arguments& parsed, CommandIo io) {
  try {
    const auto config = connectors::loadConnectorConfig(parsed.required("config"));
    if (action == "backup") {
      const auto m = connectors::backupConnectorState(config.dataDirectory, parsed.required("out"), config.custodian);
      io.out << "backup: " << parsed.required("out") << " (" << m.records << " records, next sequence "
             << m.nextSequence << ", " << m.keyFiles << " key files)\n";
      return kExitOk;
    }
    const auto result = connectors::restoreConnectorState(parsed.required("from"), config.dataDirectory,
                                                          config.custodian);
    io.out << "restored " << result.manifest.records << " records (next sequence " << result.manifest.nextSequence
           << ", backup of " << result.manifest.created << ") into " << config.dataDirectory << "\n";
    if (!result.movedAside.empty()) io.out << "previous state moved to " << result.movedAside.string() << "\n";
    return kExitOk;
  } catch (const UsageError&) {
    throw;
  } catch (const std::exception& e) {
    io.err << "nser connector " << action << ": " << e.what() << "\n";
    return kExitFailure;
  }
}

}  // namespace

Command connectorCommand() {
  Command command;
  command.name = "connector";
  command.summary = "Run a custodian connector: sync its source to the hub, show its state and quarantine";
  command.help =
      "Usage: nser connector --config connector.json [sync [--incremental] | run | status | quarantine |\n"
      "                                              references]\n\n"
      "  sync        one full sync: resume an interrupted batch, scan the source, encode and\n"
      "              push what changed (upserts), tombstone what disappeared, quarantine\n"
      "              rows that fail (default). --incremental (PostgreSQL with a watermark\n"
      "              column): only rows past the stored watermark, no deletions\n"
      "  run         sync, then again every sync.interval_seconds until SIGTERM; with a\n"
      "              \"gateway\" section, also serve the programme gateway meanwhile\n"
      "  status      local state: records pushed, next batch sequence, pending batch,\n"
      "              quarantined rows, last sync\n"
      "  quarantine  every quarantined row: location and reason (never values)\n"
      "  references  CSV source_key,reference of every record pushed: this custodian's\n"
      "              own map from its records to the pseudonymous references the hub\n"
      "              holds (to evaluate linkage, or answer a subject access request)\n\n"
      "Prints 'connector: gateway listening on URL' once the gateway serves.\n"
      "Configuration and mapping: docs/connector.md. Raw identifiers never leave this\n"
      "process: the hub receives keyed encodings under random pseudonymous references.\n\n"
      "Local state backup (docs/backup-restore.md), offline: both refuse while `run` or\n"
      "a sync holds the state.\n"
      "  nser connector --config connector.json backup --out DIR    (DIR must not exist)\n"
      "  nser connector --config connector.json restore --from DIR  (the current state\n"
      "      is moved aside to DATA.replaced-TIME, never deleted)\n";
  command.run = [](const std::vector<std::string>& args, CommandIo io) {
    const Arguments parsed = Arguments::parse(args, {{"config"}, {"incremental", false}, {"out"}, {"from"}});
    const std::string action = parsed.positionals().empty() ? "sync" : parsed.positionals().front();
    if (parsed.positionals().size() > 1) throw UsageError("unexpected argument '" + parsed.positionals()[1] + "'");
    if (action == "backup" || action == "restore") return runStateBackup(action, parsed, io);
    if (action != "sync" && action != "run" && action != "status" && action != "quarantine" &&
        action != "references") {
      throw UsageError("unknown connector action '" + action + "'");
    }
    if (action == "run") service::blockTerminationSignals();
    try {
      const auto config = connectors::loadConnectorConfig(parsed.required("config"));
      service::configureLogging(config.logging);
      connectors::SyncState state(config.dataDirectory);
      connectors::connectorMetrics().restore(state);
      if (action == "status") {
        const auto pending = state.pending();
        io.out << "custodian:         " << config.custodian << "\n"
               << "records pushed:    " << state.recordCount() << "\n"
               << "next sequence:     " << state.nextSequence() << "\n"
               << "pending batch:     " << (pending ? std::to_string(pending->sequence) : std::string("none")) << "\n"
               << "quarantined rows:  " << state.quarantined().size() << "\n"
               << "last sync:         " << state.meta("last_sync").value_or("never") << "\n";
        printTotals(connectors::connectorMetrics(), io.out);
        return kExitOk;
      }
      if (action == "references") {
        io.out << "source_key,reference\n";
        state.forEachRecord([&](const std::string& key, const connectors::RecordState& record) {
          if (record.reference.empty()) return;
          io.out << csvField(key) << ',' << record.reference << '\n';
        });
        return kExitOk;
      }
      if (action == "quarantine") {
        for (const auto& entry : state.quarantined()) {
          io.out << entry.location << "\t" << entry.reason << "\t" << entry.at << "\n";
        }
        return kExitOk;
      }
      const bool interactive = isatty(STDERR_FILENO) != 0;
      const bool canIncrement = !config.sourceConfig.watermarkColumn.empty();
      if (parsed.has("incremental") && !canIncrement) {
        throw UsageError("--incremental needs a PostgreSQL source with a watermark_column");
      }
      if (action == "sync") return syncOnce(config, state, io, interactive, parsed.has("incremental"));
      // The attribute server needs the hub's fetch-order key before it serves.
      std::unique_ptr<connectors::AttributeServer> attributeServer;
      std::vector<std::string> catalogue;
      if (config.attributeServer.enabled) {
        const auto mapping = connectors::loadSourceMapping(config.mappingPath);
        for (const auto& attribute : mapping.attributes) catalogue.push_back(attribute.name);
        pki::PublicKey hubKey{};
        for (int attempt = 1;; ++attempt) {
          try {
            hubKey = connectors::fetchHubOrderKey(config);
            break;
          } catch (const connectors::ProfileError& e) {
            if (attempt >= 30) throw;
            service::logEvent(Poco::Logger::get("connector"), Poco::Message::PRIO_WARNING,
                              "waiting for the hub's keys", {{"error", e.what()}});
            std::this_thread::sleep_for(std::chrono::seconds(1));
          }
        }
        attributeServer = std::make_unique<connectors::AttributeServer>(config, state, mapping, hubKey);
        attributeServer->start();
        io.err << "connector: attribute server listening on " << attributeServer->endpoint() << std::endl;
      }
      const auto keys = connectors::ConnectorKeys::loadOrCreate(config.dataDirectory);
      bool profileRegistered = false;
      auto registerWithHub = [&] {
        if (profileRegistered) return;
        try {
          connectors::registerProfile(config, keys, attributeServer ? attributeServer->endpoint() : "", catalogue);
          profileRegistered = true;
        } catch (const connectors::ProfileError& e) {
          service::logEvent(Poco::Logger::get("connector"), Poco::Message::PRIO_ERROR,
                            "registering with the hub failed; retrying at the next sync", {{"error", e.what()}});
        }
      };
      registerWithHub();
      std::unique_ptr<connectors::ProgrammeGateway> gateway;
      if (config.gateway.enabled) {
        gateway = std::make_unique<connectors::ProgrammeGateway>(config, &state);
        gateway->start();
        io.err << "connector: gateway listening on " << (config.gateway.loopbackOnly ? "http" : "https") << "://"
               << config.gateway.address << ":" << gateway->port() << std::endl;
      }
      if (!gateway && !attributeServer && config.sync.interval.count() == 0) {
        return syncOnce(config, state, io, interactive, false);
      }
      // run: sync every interval until told to stop; a failed sync is logged
      // and retried at the next interval (its pending batch is kept).
      std::atomic<bool> stopping{false};
      std::thread waiter([&] {
        service::waitForTerminationSignal();
        stopping = true;
      });
      for (int round = 0; !stopping; ++round) {
        registerWithHub();
        try {
          // With a watermark, every reconcile_every-th sync (the first included) is full.
          syncOnce(config, state, io, false, canIncrement && round % config.sync.reconcileEvery != 0);
        } catch (const std::exception& e) {
          service::logEvent(Poco::Logger::get("connector"), Poco::Message::PRIO_ERROR, "sync failed",
                            {{"error", e.what()}});
        }
        if (config.sync.interval.count() == 0) {
          // Serving only: keep trying to register until the hub has the profile.
          for (int tick = 1; !stopping; ++tick) {
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
            if (!profileRegistered && tick % 25 == 0) registerWithHub();
          }
        }
        for (auto waited = std::chrono::seconds(0); !stopping && waited < config.sync.interval; ++waited) {
          std::this_thread::sleep_for(std::chrono::seconds(1));
        }
      }
      waiter.join();
      if (gateway) gateway->stop();
      if (attributeServer) attributeServer->stop();
      return kExitOk;
    } catch (const UsageError&) {
      throw;
    } catch (const std::exception& e) {
      io.err << "nser connector: " << e.what() << "\n";
      return kExitFailure;
    }
  };
  return command;
}

}  // namespace nser::cli
