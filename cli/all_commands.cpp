#include "cli/commands.h"

namespace nser::cli {

CommandRegistry allCommands() {
  CommandRegistry registry;
  registry.add(versionCommand());
  registry.add(encodeCommand());
  registry.add(linkCommand());
  registry.add(evalCommand());
  registry.add(benchCommand());
  registry.add(synthCommand());
  registry.add(pkiCommand());
  registry.add(hubCommand());
  registry.add(adminCommand());
  registry.add(auditCommand());
  registry.add(witnessCommand());
  registry.add(connectorCommand());
  registry.add(demoCommand());
  return registry;
}

}  // namespace nser::cli
