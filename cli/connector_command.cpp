// `nser connector --config connector.json [sync|run|status|quarantine]`.
#include <atomic>
#include <iomanip>
#include <ostream>
#include <thread>
#include <unistd.h>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "connectors/connector_config.h"
#include "connectors/programme_gateway.h"
#include "connectors/source_factory.h"
#include "connectors/source_mapping.h"
#include "connectors/sync_engine.h"
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

int syncOnce(const connectors::ConnectorConfig& config, connectors::SyncState& state, CommandIo io, bool interactive,
             bool incremental) {
  const auto mapping = connectors::loadSourceMapping(config.mappingPath);
  connectors::SyncEngine engine(
      config, state,
      [&](const std::optional<std::string>& after) {
        return connectors::openSource(config.sourceConfig, mapping.keyColumn, after);
      },
      [&](const connectors::SyncReport& r) {
        if (interactive) {
          io.err << "\rconnector: " << r.rows << " rows read, " << r.upserts << " upserts, " << r.batches
                 << " batches acknowledged" << std::flush;
        } else {
          service::logEvent(Poco::Logger::get("connector.sync"), Poco::Message::PRIO_INFORMATION, "progress",
                            {{"rows", std::to_string(r.rows)}, {"upserts", std::to_string(r.upserts)},
                             {"batches", std::to_string(r.batches)}});
        }
      });
  const auto report = engine.run(incremental);
  if (interactive) io.err << "\n";
  io.out << "sync: ";
  printReport(report, io.out);
  service::logEvent(Poco::Logger::get("connector.sync"), Poco::Message::PRIO_NOTICE, "sync finished",
                    {{"rows", std::to_string(report.rows)}, {"upserts", std::to_string(report.upserts)},
                     {"deletions", std::to_string(report.deletions)},
                     {"quarantined", std::to_string(report.quarantined)}});
  return kExitOk;
}

}  // namespace

Command connectorCommand() {
  Command command;
  command.name = "connector";
  command.summary = "Run a custodian connector: sync its source to the hub, show its state and quarantine";
  command.help =
      "Usage: nser connector --config connector.json [sync [--incremental] | run | status | quarantine]\n\n"
      "  sync        one full sync: resume an interrupted batch, scan the source, encode and\n"
      "              push what changed (upserts), tombstone what disappeared, quarantine\n"
      "              rows that fail (default). --incremental (PostgreSQL with a watermark\n"
      "              column): only rows past the stored watermark, no deletions\n"
      "  run         sync, then again every sync.interval_seconds until SIGTERM; with a\n"
      "              \"gateway\" section, also serve the programme gateway meanwhile\n"
      "  status      local state: records pushed, next batch sequence, pending batch,\n"
      "              quarantined rows, last sync\n"
      "  quarantine  every quarantined row: location and reason (never values)\n\n"
      "Prints 'connector: gateway listening on URL' once the gateway serves.\n"
      "Configuration and mapping: docs/connector.md. Raw identifiers never leave this\n"
      "process: the hub receives keyed encodings under random pseudonymous references.\n";
  command.run = [](const std::vector<std::string>& args, CommandIo io) {
    const Arguments parsed = Arguments::parse(args, {{"config"}, {"incremental", false}});
    const std::string action = parsed.positionals().empty() ? "sync" : parsed.positionals().front();
    if (parsed.positionals().size() > 1) throw UsageError("unexpected argument '" + parsed.positionals()[1] + "'");
    if (action != "sync" && action != "run" && action != "status" && action != "quarantine") {
      throw UsageError("unknown connector action '" + action + "'");
    }
    if (action == "run") service::blockTerminationSignals();
    try {
      const auto config = connectors::loadConnectorConfig(parsed.required("config"));
      service::configureLogging(config.logging);
      connectors::SyncState state(config.dataDirectory);
      if (action == "status") {
        const auto pending = state.pending();
        io.out << "custodian:         " << config.custodian << "\n"
               << "records pushed:    " << state.recordCount() << "\n"
               << "next sequence:     " << state.nextSequence() << "\n"
               << "pending batch:     " << (pending ? std::to_string(pending->sequence) : std::string("none")) << "\n"
               << "quarantined rows:  " << state.quarantined().size() << "\n"
               << "last sync:         " << state.meta("last_sync").value_or("never") << "\n";
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
      std::unique_ptr<connectors::ProgrammeGateway> gateway;
      if (config.gateway.enabled) {
        gateway = std::make_unique<connectors::ProgrammeGateway>(config);
        gateway->start();
        io.err << "connector: gateway listening on " << (config.gateway.loopbackOnly ? "http" : "https") << "://"
               << config.gateway.address << ":" << gateway->port() << std::endl;
      }
      if (!gateway && config.sync.interval.count() == 0) return syncOnce(config, state, io, interactive, false);
      // run: sync every interval until told to stop; a failed sync is logged
      // and retried at the next interval (its pending batch is kept).
      std::atomic<bool> stopping{false};
      std::thread waiter([&] {
        service::waitForTerminationSignal();
        stopping = true;
      });
      for (int round = 0; !stopping; ++round) {
        try {
          // With a watermark, every reconcile_every-th sync (the first included) is full.
          syncOnce(config, state, io, false, canIncrement && round % config.sync.reconcileEvery != 0);
        } catch (const std::exception& e) {
          service::logEvent(Poco::Logger::get("connector"), Poco::Message::PRIO_ERROR, "sync failed",
                            {{"error", e.what()}});
        }
        if (config.sync.interval.count() == 0) {
          while (!stopping) std::this_thread::sleep_for(std::chrono::milliseconds(200));  // gateway only
        }
        for (auto waited = std::chrono::seconds(0); !stopping && waited < config.sync.interval; ++waited) {
          std::this_thread::sleep_for(std::chrono::seconds(1));
        }
      }
      waiter.join();
      if (gateway) gateway->stop();
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
