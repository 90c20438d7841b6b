// `nser bench gateway`: brokered searches against a running programme
// gateway (docs/performance.md, "Brokering"), open loop: requests are sent
// on a fixed schedule at --rate per second spread over --connections
// keep-alive connections, and each latency is measured from the request's
// scheduled time, so a slow answer delays (and counts against) the ones
// queued behind it instead of silently lowering the load.
//
// Each request is one DCI search for a person by CNIC (taken from a column of
// a CSV file), naming a purpose and the attributes wanted; the gateway
// encodes it, the hub matches and decides, the custodian's attribute server
// seals the values, the gateway opens them: the whole brokered path.
#pragma once

#include <string>
#include <vector>

#include "cli/command.h"

namespace nser::cli {

int runBenchGateway(const std::vector<std::string>& args, CommandIo io);

}  // namespace nser::cli
