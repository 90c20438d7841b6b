// Opens the configured source (connector_config.h) for one full pass.
#pragma once

#include <memory>
#include <optional>

#include "connectors/connector_config.h"
#include "connectors/source_reader.h"

namespace nser::connectors {

// `keyColumn` is the mapping's key column (PostgreSQL uses it to name rows).
// With `watermarkAfter`, a PostgreSQL source with a watermark column returns
// only rows whose watermark is greater (an incremental sync). Throws SourceError.
std::unique_ptr<SourceReader> openSource(const SourceConfig& config, const std::string& keyColumn,
                                         const std::optional<std::string>& watermarkAfter = std::nullopt);

}  // namespace nser::connectors
