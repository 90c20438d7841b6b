// `nser hub --config hub.json`: runs the hub until SIGTERM or SIGINT.
#include <ostream>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "hub/hub_config.h"
#include "hub/hub_service.h"
#include "service/logging.h"
#include "service/termination_signal.h"

namespace nser::cli {

Command hubCommand() {
  Command command;
  command.name = "hub";
  command.summary = "Run the hub (mutual-TLS API, ingest, entity resolution, search)";
  command.help =
      "Usage: nser hub --config hub.json\n\n"
      "Runs the central hub until SIGTERM or SIGINT, then stops cleanly (in-flight\n"
      "batches finish; everything acknowledged is already on disk). The configuration\n"
      "(docs/hub.md) names the listening address, the TLS files (TLS 1.3 with client\n"
      "certificates from the deployment CA), the data directory, the linkage schema,\n"
      "link settings and model, limits, and the bootstrap administrators.\n"
      "Prints 'hub: listening on https://ADDRESS:PORT' on stderr once it serves.\n";
  command.run = [](const std::vector<std::string>& args, CommandIo io) {
    const Arguments parsed = Arguments::parse(args, {{"config"}});
    if (!parsed.positionals().empty()) throw UsageError("unexpected argument '" + parsed.positionals().front() + "'");
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
