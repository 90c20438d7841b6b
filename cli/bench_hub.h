// Load generators for a running hub, run as a party over mutual TLS
// (`nser bench hub-ingest`, `nser bench hub-search`; docs/performance.md):
//   hub-ingest  pushes an encoding file as ingest batches of one custodian,
//               one batch in flight (the hub applies batches one at a time)
//               while the next is prepared,
//               and reports records/s and per-batch latency;
//   hub-search  sends DCI searches for the records of an encoding file from
//               N keep-alive connections for a duration or a request count,
//               and reports requests/s and latency percentiles.
#pragma once

#include <string>
#include <vector>

#include "cli/command.h"

namespace nser::cli {

int runBenchHubIngest(const std::vector<std::string>& args, CommandIo io);
int runBenchHubSearch(const std::vector<std::string>& args, CommandIo io);

}  // namespace nser::cli
