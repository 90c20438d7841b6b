#include "service/config_file.h"

#include <Poco/Path.h>

namespace nser::service {

std::string configDirectory(const std::string& configPath) {
  return Poco::Path(Poco::Path(configPath).absolute()).parent().toString();
}

std::string resolveConfigPath(const std::string& directory, const std::string& path) {
  if (path.empty()) return path;
  Poco::Path p(path);
  if (p.isAbsolute()) return path;
  return Poco::Path(directory).resolve(p).toString();
}

LoggingOptions loggingOptions(const std::optional<schemas::JsonNode>& log, const std::string& directory) {
  LoggingOptions options;
  options.format = defaultLogFormat();
  if (!log) return options;
  log->rejectUnknownKeys({"format", "level", "file"});
  if (log->has("format")) {
    options.format = log->field("format").asEnum({"human", "json"}) == "json" ? LogFormat::JsonLines : LogFormat::Human;
  }
  options.level = log->stringOr("level", "information");
  options.file = resolveConfigPath(directory, log->stringOr("file", ""));
  return options;
}

}  // namespace nser::service
