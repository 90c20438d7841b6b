// A subcommand of the `nser` executable, in the style of git/vault:
// `nser <name> [args...]`. Each subcommand lives in its own file and
// registers itself in cli/main.cpp.
//
// Exit codes are part of the contract of every subcommand:
//   0  success
//   1  the command ran and failed (I/O, bad data, a server refused, ...)
//   2  usage error (unknown option, missing argument); usage goes to stderr
#pragma once

#include <functional>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

namespace nser::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;

struct CommandIo {
  std::ostream& out;
  std::ostream& err;
};

struct Command {
  std::string name;
  std::string summary;  // one line, shown by `nser --help`
  std::string help;     // full text, shown by `nser <name> --help`
  std::function<int(const std::vector<std::string>& args, CommandIo io)> run;
};

// The set of subcommands. Not thread-safe; built once at start-up.
class CommandRegistry {
 public:
  // Throws std::logic_error if a command of that name is already registered.
  void add(Command command);
  // nullptr when no command has that name.
  const Command* find(const std::string& name) const;
  const std::map<std::string, Command>& all() const { return commands_; }

  // Dispatches argv (without the program name): handles --help, -h, `help
  // <cmd>`, `<cmd> --help`, and unknown commands (usage on stderr, exit 2).
  int dispatch(const std::vector<std::string>& argv, CommandIo io) const;

  void printUsage(std::ostream& os) const;

 private:
  std::map<std::string, Command> commands_;
};

}  // namespace nser::cli
