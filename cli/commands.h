// The subcommands of `nser`, one factory per file. Register only commands
// that work end to end.
#pragma once

#include "cli/command.h"

namespace nser::cli {

Command versionCommand();
Command encodeCommand();
Command linkCommand();
Command evalCommand();
Command benchCommand();
Command synthCommand();
Command pkiCommand();
Command hubCommand();
Command adminCommand();
Command auditCommand();
Command witnessCommand();
Command connectorCommand();
Command demoCommand();

// Every subcommand, ready to dispatch.
CommandRegistry allCommands();

}  // namespace nser::cli
