#include "cli/commands.h"

namespace nser::cli {

CommandRegistry allCommands() {
  CommandRegistry registry;
  registry.add(versionCommand());
  return registry;
}

}  // namespace nser::cli
