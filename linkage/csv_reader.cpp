#include "linkage/csv_reader.h"

#include <algorithm>

namespace nser::linkage {

bool CsvReader::readLine(std::string& line) {
  if (!std::getline(in_, line)) return false;
  ++linesRead_;
  if (linesRead_ == 1 && line.starts_with("\xEF\xBB\xBF")) line.erase(0, 3);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return true;
}

CsvStatus CsvReader::next(std::vector<std::string>& fields) {
  fields.clear();
  reason_.clear();
  do {
    if (!readLine(line_)) return CsvStatus::End;
  } while (line_.empty());
  recordLine_ = linesRead_;

  std::string field;
  std::size_t i = 0;
  while (true) {
    if (i < line_.size() && line_[i] == '"') {
      // Quoted field: may run over several physical lines.
      ++i;
      while (true) {
        const std::size_t quote = line_.find('"', i);
        if (quote == std::string::npos) {
          field.append(line_, i, std::string::npos);
          field.push_back('\n');
          if (!readLine(line_)) {
            reason_ = "unterminated quoted field";
            return CsvStatus::Malformed;
          }
          i = 0;
          continue;
        }
        field.append(line_, i, quote - i);
        if (quote + 1 < line_.size() && line_[quote + 1] == '"') {
          field.push_back('"');
          i = quote + 2;
          continue;
        }
        i = quote + 1;
        break;
      }
      if (i < line_.size() && line_[i] != ',') {
        reason_ = "text after a closing quote in field " + std::to_string(fields.size() + 1);
        return CsvStatus::Malformed;
      }
    } else {
      const std::size_t end = std::min(line_.find(',', i), line_.size());
      if (line_.find('"', i) < end) {
        reason_ = "a quote inside unquoted field " + std::to_string(fields.size() + 1);
        return CsvStatus::Malformed;
      }
      field.assign(line_, i, end - i);
      i = end;
    }
    fields.push_back(std::move(field));
    field.clear();
    if (i >= line_.size()) return CsvStatus::Record;
    ++i;  // the comma
  }
}

std::optional<std::size_t> CsvHeader::find(std::string_view name) const {
  const auto it = std::find(names_.begin(), names_.end(), name);
  if (it == names_.end()) return std::nullopt;
  return static_cast<std::size_t>(it - names_.begin());
}

}  // namespace nser::linkage
