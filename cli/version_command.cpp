// `nser version`: what this binary is and what the CPU under it can do.
#include <ostream>

#include "cli/arguments.h"
#include "cli/commands.h"
#include "generated/build_info.h"
#include "linkage/cpu_features.h"

namespace nser::cli {

Command versionCommand() {
  Command command;
  command.name = "version";
  command.summary = "Print version, git commit, build type, compiler and detected CPU features";
  command.help =
      "Usage: nser version [--json]\n\n"
      "Prints the NSER Hub version, the git commit it was built from, the build type,\n"
      "the compiler, the sanitizers compiled in, and the SIMD features detected on this\n"
      "CPU at run time (the Dice kernel picks its AVX-512, AVX2 or portable path from them).\n\n"
      "Options:\n"
      "  --json    print one JSON object instead of 'key: value' lines\n";
  command.run = [](const std::vector<std::string>& args, CommandIo io) {
    const Arguments parsed = Arguments::parse(args, {{"json", false}});
    if (!parsed.positionals().empty()) throw UsageError("unexpected argument '" + parsed.positionals().front() + "'");
    const std::string cpu = linkage::cpuFeatures().describe();
    if (parsed.has("json")) {
      io.out << "{\"version\":\"" << build_info::kVersion << "\",\"git_commit\":\"" << build_info::kGitCommit
             << "\",\"build_type\":\"" << build_info::kBuildType << "\",\"compiler\":\"" << build_info::kCompiler
             << "\",\"sanitizers\":\"" << build_info::kSanitizers << "\",\"cpu_features\":\"" << cpu << "\"}\n";
    } else {
      io.out << "nser " << build_info::kVersion << "\n"
             << "git commit:   " << build_info::kGitCommit << "\n"
             << "build type:   " << build_info::kBuildType << "\n"
             << "compiler:     " << build_info::kCompiler << "\n"
             << "sanitizers:   " << build_info::kSanitizers << "\n"
             << "cpu features: " << cpu << "\n";
    }
    return kExitOk;
  };
  return command;
}

}  // namespace nser::cli
