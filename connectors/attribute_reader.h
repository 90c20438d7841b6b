// AttributeReader: reads catalogue attributes (the mapping's "attributes")
// of one record from the custodian's source of truth, for a fetch order.
// Nothing is cached beyond where rows are: each read goes to the source.
//
//   CSV         a key -> byte offset index of the file, built on first use
//               and rebuilt when the file changes (device and inode, size or
//               modification time: one stat per read) or a row at an indexed
//               offset no longer carries its key; the indexed file stays open
//               between reads (reopened with the index)
//   PostgreSQL  one parameterised SELECT of the row by its key column, in a
//               read-only transaction
//
// Thread-safe. Values are returned as the source's text.
#pragma once

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "connectors/connector_config.h"
#include "connectors/source_mapping.h"

namespace nser::connectors {

class AttributeReader {
 public:
  AttributeReader(SourceConfig source, SourceMapping mapping);

  // The values of the catalogue attributes `names` of the record with source
  // key `key`; nullopt when the source no longer holds the record. Throws
  // std::invalid_argument for a name outside the catalogue and SourceError
  // when the source cannot be read.
  std::optional<std::map<std::string, std::string>> read(const std::string& key, const std::vector<std::string>& names);

 private:
  std::optional<std::vector<std::string>> csvRow(const std::string& key);
  std::optional<std::vector<std::string>> postgresRow(const std::string& key, std::vector<std::string>& columns);
  void indexCsv();

  SourceConfig source_;
  SourceMapping mapping_;
  std::mutex mutex_;
  // CSV
  std::vector<std::string> csvColumns_;
  std::unordered_map<std::string, std::uint64_t> offsets_;
  // Which file the index describes: a rename over the path, a rewrite or an
  // append changes one of these.
  struct FileStamp {
    std::uint64_t device = 0;
    std::uint64_t inode = 0;
    std::int64_t size = 0;
    std::int64_t modifiedNanos = 0;
    bool operator==(const FileStamp&) const = default;
  };
  FileStamp stampOfPath() const;
  FileStamp indexedStamp_{};
  std::ifstream csvFile_;  // the indexed file, open between reads
  bool indexed_ = false;
};

}  // namespace nser::connectors
