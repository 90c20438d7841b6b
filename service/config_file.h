// Pieces every server configuration file shares (hub.json, connector.json):
// paths written relative to the file, and the "log" section
//   "log": {"format": "human" | "json", "level": "information", "file": ""}
// (format defaults to human on a terminal, JSON lines otherwise).
#pragma once

#include <optional>
#include <string>

#include "schemas/json_document.h"
#include "service/logging.h"

namespace nser::service {

// The absolute directory holding the configuration file `configPath`.
std::string configDirectory(const std::string& configPath);
// `path` as written in a configuration in `directory`: absolute paths stay,
// relative ones are resolved against the directory; "" stays "".
std::string resolveConfigPath(const std::string& directory, const std::string& path);
// Reads the optional "log" section; unknown keys and bad values are
// schemas::DocumentError naming the key path.
LoggingOptions loggingOptions(const std::optional<schemas::JsonNode>& log, const std::string& directory);

}  // namespace nser::service
