#include "cli/command.h"

#include <gtest/gtest.h>

#include <sstream>

#include "cli/commands.h"

namespace nser::cli {
namespace {

CommandRegistry registryWithEcho(std::vector<std::string>* seen) {
  CommandRegistry registry;
  registry.add({"echo", "Echo arguments", "Usage: nser echo ARGS\n", [seen](const std::vector<std::string>& args, CommandIo io) {
                  *seen = args;
                  io.out << "echoed\n";
                  return 7;
                }});
  return registry;
}

struct Captured {
  std::ostringstream out, err;
  CommandIo io() { return {out, err}; }
};

TEST(CommandRegistry, DispatchesToTheNamedCommandWithTheRestOfTheArguments) {
  std::vector<std::string> seen;
  auto registry = registryWithEcho(&seen);
  Captured c;
  EXPECT_EQ(registry.dispatch({"echo", "a", "b"}, c.io()), 7);
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(c.out.str(), "echoed\n");
}

TEST(CommandRegistry, HelpFlagsShowUsageOrCommandHelp) {
  std::vector<std::string> seen;
  auto registry = registryWithEcho(&seen);
  Captured top;
  EXPECT_EQ(registry.dispatch({"--help"}, top.io()), kExitOk);
  EXPECT_NE(top.out.str().find("echo   Echo arguments"), std::string::npos) << top.out.str();
  Captured sub;
  EXPECT_EQ(registry.dispatch({"echo", "--help"}, sub.io()), kExitOk);
  EXPECT_EQ(sub.out.str(), "Usage: nser echo ARGS\n");
  EXPECT_TRUE(seen.empty()) << "--help must not run the command";
}

TEST(CommandRegistry, UnknownCommandIsAUsageError) {
  std::vector<std::string> seen;
  auto registry = registryWithEcho(&seen);
  Captured c;
  EXPECT_EQ(registry.dispatch({"nope"}, c.io()), kExitUsage);
  EXPECT_NE(c.err.str().find("unknown command 'nope'"), std::string::npos);
  EXPECT_TRUE(c.out.str().empty());
  Captured help;
  EXPECT_EQ(registry.dispatch({"help", "nope"}, help.io()), kExitUsage);
}

TEST(CommandRegistry, RejectsDuplicateNames) {
  std::vector<std::string> seen;
  auto registry = registryWithEcho(&seen);
  EXPECT_THROW(registry.add({"echo", "", "", nullptr}), std::logic_error);
}

TEST(AllCommands, EveryCommandHasSummaryAndUsage) {
  auto registry = allCommands();
  ASSERT_FALSE(registry.all().empty());
  for (const auto& [name, command] : registry.all()) {
    EXPECT_FALSE(command.summary.empty()) << name;
    EXPECT_EQ(command.help.rfind("Usage: nser " + name, 0), 0u) << name << " help must start with its usage line";
    EXPECT_TRUE(command.run) << name;
  }
}

}  // namespace
}  // namespace nser::cli
