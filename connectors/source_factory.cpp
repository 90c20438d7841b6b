#include "connectors/source_factory.h"

#include "connectors/csv_source.h"
#include "connectors/postgres_source.h"

namespace nser::connectors {

std::unique_ptr<SourceReader> openSource(const SourceConfig& config, const std::string& keyColumn,
                                         const std::optional<std::string>& watermarkAfter) {
  if (config.type == "csv") return std::make_unique<CsvSource>(config.path);
  PostgresSourceOptions options;
  options.connection = config.connection;
  options.passwordFile = config.passwordFile;
  options.table = config.table;
  options.query = config.query;
  options.keyColumn = keyColumn;
  options.watermarkColumn = config.watermarkColumn;
  if (!config.watermarkColumn.empty()) options.watermarkAfter = watermarkAfter;
  return std::make_unique<PostgresSource>(options);
}

}  // namespace nser::connectors
