#include "command.h"

#include <algorithm>
#include <ostream>
#include <stdexcept>

namespace nser::cli {

void CommandRegistry::add(Command command) {
  const std::string name = command.name;
  if (!commands_.emplace(name, std::move(command)).second) {
    throw std::logic_error("subcommand registered twice: " + name);
  }
}

const Command* CommandRegistry::find(const std::string& name) const {
  auto it = commands_.find(name);
  return it == commands_.end() ? nullptr : &it->second;
}

void CommandRegistry::printUsage(std::ostream& os) const {
  std::size_t width = 0;
  for (const auto& [name, command] : commands_) width = std::max(width, name.size());
  os << "Usage: nser <command> [options]\n\n"
        "NSER Hub: privacy-preserving linkage, consent-scoped sharing and an auditable\n"
        "log for Pakistan's National Socio-Economic Registry.\n\n"
        "Commands:\n";
  for (const auto& [name, command] : commands_) {
    os << "  " << name << std::string(width - name.size() + 3, ' ') << command.summary << "\n";
  }
  os << "\nRun 'nser <command> --help' for a command's options.\n";
}

namespace {
bool isHelpFlag(const std::string& arg) { return arg == "--help" || arg == "-h"; }
}  // namespace

int CommandRegistry::dispatch(const std::vector<std::string>& argv, CommandIo io) const {
  if (argv.empty()) {
    printUsage(io.err);
    return kExitUsage;
  }
  const std::string& first = argv.front();
  if (isHelpFlag(first)) {
    printUsage(io.out);
    return kExitOk;
  }
  if (first == "help") {
    if (argv.size() == 1) {
      printUsage(io.out);
      return kExitOk;
    }
    if (const Command* command = find(argv[1])) {
      io.out << command->help;
      return kExitOk;
    }
    io.err << "nser: unknown command '" << argv[1] << "'\n\n";
    printUsage(io.err);
    return kExitUsage;
  }
  const Command* command = find(first);
  if (command == nullptr) {
    io.err << "nser: unknown command '" << first << "'\n\n";
    printUsage(io.err);
    return kExitUsage;
  }
  std::vector<std::string> rest(argv.begin() + 1, argv.end());
  if (std::any_of(rest.begin(), rest.end(), isHelpFlag)) {
    io.out << command->help;
    return kExitOk;
  }
  return command->run(rest, io);
}

}  // namespace nser::cli
