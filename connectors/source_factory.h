// Opens the configured source (connector_config.h) for one full pass.
#pragma once

#include <memory>

#include "connectors/connector_config.h"
#include "connectors/source_reader.h"

namespace nser::connectors {

// `keyColumn` is the mapping's key column (PostgreSQL uses it to name rows).
// Throws SourceError.
std::unique_ptr<SourceReader> openSource(const SourceConfig& config, const std::string& keyColumn);

}  // namespace nser::connectors
