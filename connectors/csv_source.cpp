#include "connectors/csv_source.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

namespace nser::connectors {

CsvSource::CsvSource(std::string path) : path_(std::move(path)), in_(path_, std::ios::binary) {
  if (!in_) throw SourceError("csv source '" + path_ + "': cannot open the file");
  std::error_code error;
  const auto size = std::filesystem::file_size(path_, error);
  if (!error) size_ = static_cast<double>(size);
  reader_ = std::make_unique<linkage::CsvReader>(in_);
  if (reader_->next(columns_) != linkage::CsvStatus::Record) {
    throw SourceError("csv source '" + path_ + "': no header row");
  }
}

std::optional<SourceRow> CsvSource::next() {
  const auto status = reader_->next(fields_);
  if (status == linkage::CsvStatus::End) {
    if (in_.bad()) throw SourceError("csv source '" + path_ + "': read error after line " +
                                     std::to_string(reader_->lineNumber()));
    return std::nullopt;
  }
  SourceRow row;
  row.location = "line " + std::to_string(reader_->lineNumber());
  if (status == linkage::CsvStatus::Malformed) {
    row.malformed = reader_->reason();
    return row;
  }
  if (fields_.size() != columns_.size()) {
    row.malformed = std::to_string(fields_.size()) + " fields, the header has " + std::to_string(columns_.size());
    return row;
  }
  row.values = std::move(fields_);
  fields_.clear();
  return row;
}

std::optional<double> CsvSource::fractionRead() {
  if (size_ <= 0.0) return std::nullopt;
  const auto position = in_.tellg();  // the reader's look-ahead is a few KiB: close enough for progress
  if (position < 0) return 1.0;       // at the end (tellg fails once eof is set)
  return std::min(1.0, static_cast<double>(position) / size_);
}

}  // namespace nser::connectors
