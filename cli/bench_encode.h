// `nser bench encode`: the full custodian-side encoding pipeline of a
// linkage schema (normalisation, CLK and field filters, hardening, keyed
// tokens) on one thread, in memory: the CSV is parsed before timing and no
// file is written, so the rate is the encoder's alone. Prints key=value lines
// (records_per_second= is measured on the thread's CPU time, which other work
// on a shared machine does not inflate). A subject of `nser bench`
// (bench_command.cpp).
#pragma once

#include <string>
#include <vector>

#include "cli/command.h"

namespace nser::cli {

extern const char* const kBenchEncodeHelp;

int runBenchEncode(const std::vector<std::string>& args, CommandIo io);

}  // namespace nser::cli
