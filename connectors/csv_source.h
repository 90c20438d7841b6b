// CsvSource: a custodian source that is a CSV file (RFC 4180, UTF-8, header
// row), streamed in bounded memory however large it is. Rows with another
// field count than the header, or malformed quoting, come back with
// `malformed` set (the connector quarantines them) and reading goes on.
#pragma once

#include <fstream>
#include <memory>
#include <string>

#include "connectors/source_reader.h"
#include "linkage/csv_reader.h"

namespace nser::connectors {

class CsvSource : public SourceReader {
 public:
  // Throws SourceError when the file cannot be opened or has no header row.
  explicit CsvSource(std::string path);

  const std::vector<std::string>& columns() const override { return columns_; }
  std::optional<SourceRow> next() override;
  std::string describe() const override { return "csv " + path_; }
  std::optional<double> fractionRead() override;

 private:
  std::string path_;
  std::ifstream in_;
  std::unique_ptr<linkage::CsvReader> reader_;
  std::vector<std::string> columns_;
  std::vector<std::string> fields_;
  double size_ = 0.0;  // bytes of the file when opened
};

}  // namespace nser::connectors
