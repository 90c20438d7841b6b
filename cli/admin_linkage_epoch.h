// `nser admin linkage-epoch ...`: the linkage-key rotation steps of a running
// hub (hub/linkage_rotation.h, docs/key-rotation.md), as an admin party.
#pragma once

#include <string>
#include <vector>

#include "cli/command.h"

namespace nser::cli {

// args: the words after "linkage-epoch". Throws UsageError.
int runAdminLinkageEpoch(const std::vector<std::string>& args, CommandIo io);

}  // namespace nser::cli
