// The `nser` executable: dispatches to subcommands (cli/commands.h).
#include <exception>
#include <iostream>
#include <string>
#include <vector>

#include "cli/arguments.h"
#include "cli/commands.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  nser::cli::CommandIo io{std::cout, std::cerr};
  try {
    return nser::cli::allCommands().dispatch(args, io);
  } catch (const nser::cli::UsageError& error) {
    std::cerr << "nser: " << error.what() << "\n";
    if (!args.empty()) std::cerr << "Run 'nser " << args.front() << " --help' for usage.\n";
    return nser::cli::kExitUsage;
  } catch (const std::exception& error) {
    std::cerr << "nser: error: " << error.what() << "\n";
    return nser::cli::kExitFailure;
  }
}
