#include "connectors/attribute_reader.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "connectors/postgres_source.h"
#include "connectors/source_reader.h"
#include "linkage/csv_reader.h"

namespace nser::connectors {
namespace {

std::optional<std::size_t> indexOf(const std::vector<std::string>& columns, const std::string& name) {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i] == name) return i;
  }
  return std::nullopt;
}

}  // namespace

AttributeReader::AttributeReader(SourceConfig source, SourceMapping mapping)
    : source_(std::move(source)), mapping_(std::move(mapping)) {}

AttributeReader::FileStamp AttributeReader::stampOfPath() const {
  struct stat info {};
  if (::stat(source_.path.c_str(), &info) != 0) throw SourceError("csv source '" + source_.path + "': cannot read the file");
  return {static_cast<std::uint64_t>(info.st_dev), static_cast<std::uint64_t>(info.st_ino),
          static_cast<std::int64_t>(info.st_size),
          static_cast<std::int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec};
}

void AttributeReader::indexCsv() {
  indexed_ = false;
  csvFile_ = std::ifstream();
  // The stamp is taken before the read: a change during indexing shows as a
  // different stamp on the next read, which indexes again.
  const FileStamp stamp = stampOfPath();
  std::ifstream in(source_.path, std::ios::binary);
  if (!in) throw SourceError("csv source '" + source_.path + "': cannot open the file");
  linkage::CsvReader reader(in);
  csvColumns_.clear();
  if (reader.next(csvColumns_) != linkage::CsvStatus::Record) {
    throw SourceError("csv source '" + source_.path + "': no header row");
  }
  const auto keyIndex = indexOf(csvColumns_, mapping_.keyColumn);
  if (!keyIndex) throw SourceError("csv source '" + source_.path + "': no key column '" + mapping_.keyColumn + "'");
  offsets_.clear();
  std::vector<std::string> fields;
  while (true) {
    const auto offset = static_cast<std::uint64_t>(in.tellg());
    const auto status = reader.next(fields);
    if (status == linkage::CsvStatus::End) break;
    if (status != linkage::CsvStatus::Record || fields.size() != csvColumns_.size()) continue;
    offsets_.emplace(fields[*keyIndex], offset);  // the first row of a key is the one the sync pushed
  }
  in.clear();
  csvFile_ = std::move(in);
  indexedStamp_ = stamp;
  indexed_ = true;
}

std::optional<std::vector<std::string>> AttributeReader::csvRow(const std::string& key) {
  if (!indexed_ || stampOfPath() != indexedStamp_) indexCsv();
  for (int attempt = 0; attempt < 2; ++attempt) {
    const auto it = offsets_.find(key);
    if (it == offsets_.end()) return std::nullopt;
    csvFile_.clear();
    csvFile_.seekg(static_cast<std::streamoff>(it->second));
    linkage::CsvReader reader(csvFile_);
    std::vector<std::string> fields;
    const auto keyIndex = *indexOf(csvColumns_, mapping_.keyColumn);
    if (reader.next(fields) == linkage::CsvStatus::Record && fields.size() == csvColumns_.size() &&
        fields[keyIndex] == key) {
      return fields;
    }
    indexCsv();  // the file changed under the index
  }
  return std::nullopt;
}

std::optional<std::vector<std::string>> AttributeReader::postgresRow(const std::string& key,
                                                                     std::vector<std::string>& columns) {
  PostgresSourceOptions options;
  options.connection = source_.connection;
  options.passwordFile = source_.passwordFile;
  options.table = source_.table;
  options.query = source_.query;
  options.keyColumn = mapping_.keyColumn;
  options.keyEquals = key;
  options.fetchRows = 2;
  PostgresSource reader(options);
  columns = reader.columns();
  auto row = reader.next();
  if (!row || !row->malformed.empty()) return std::nullopt;
  return std::move(row->values);
}

std::optional<std::map<std::string, std::string>> AttributeReader::read(const std::string& key,
                                                                        const std::vector<std::string>& names) {
  std::vector<const AttributeSpec*> specs;
  for (const auto& name : names) {
    const auto spec = std::find_if(mapping_.attributes.begin(), mapping_.attributes.end(),
                                   [&](const AttributeSpec& a) { return a.name == name; });
    if (spec == mapping_.attributes.end()) throw std::invalid_argument("'" + name + "' is not in the attribute catalogue");
    specs.push_back(&*spec);
  }
  std::vector<std::string> columns;
  std::optional<std::vector<std::string>> row;
  if (source_.type == "csv") {
    std::lock_guard lock(mutex_);
    row = csvRow(key);
    columns = csvColumns_;
  } else {
    row = postgresRow(key, columns);
  }
  if (!row) return std::nullopt;
  std::map<std::string, std::string> values;
  for (const auto* spec : specs) {
    const auto column = indexOf(columns, spec->column);
    if (!column) throw SourceError("the source has no column '" + spec->column + "' for attribute '" + spec->name + "'");
    values[spec->name] = (*row)[*column];
  }
  return values;
}

}  // namespace nser::connectors
