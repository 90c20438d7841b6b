// Streaming reader and writer for encoding files (`nser encode --format
// nser`, docs/encoding-format.md):
//
//   "NSERENC1"                      8 bytes, magic
//   cereal portable binary archive:
//     EncodingHeader
//     { uint8 1, EncodedRecord }*   one per record, in input order
//     uint8 0, uint64 recordCount   end marker and count (detects truncation)
//
// Neither class is thread-safe. Errors throw EncodingFileError naming the
// file and the record index.
#pragma once

#include <cereal/archives/portable_binary.hpp>
#include <fstream>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>

#include "linkage/encoded_record.h"

namespace nser::linkage {

class EncodingFileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class EncodingFileWriter {
 public:
  EncodingFileWriter(const std::string& path, const EncodingHeader& header);
  ~EncodingFileWriter();
  EncodingFileWriter(const EncodingFileWriter&) = delete;
  EncodingFileWriter& operator=(const EncodingFileWriter&) = delete;

  void write(const EncodedRecord& record);
  // Writes the end marker and flushes; throws if the disk write failed.
  void finish();
  std::uint64_t recordsWritten() const { return count_; }

 private:
  std::string path_;
  std::unique_ptr<char[]> buffer_;  // out_'s write buffer (declared first: outlives out_)
  std::ofstream out_;
  std::unique_ptr<cereal::PortableBinaryOutputArchive> archive_;
  std::uint64_t count_ = 0;
  bool finished_ = false;
};

class EncodingFileReader {
 public:
  explicit EncodingFileReader(const std::string& path);
  ~EncodingFileReader();
  EncodingFileReader(const EncodingFileReader&) = delete;
  EncodingFileReader& operator=(const EncodingFileReader&) = delete;

  const EncodingHeader& header() const { return header_; }
  // The next record, or nullopt at the end marker. Throws on truncation, a
  // count mismatch or a malformed record.
  std::optional<EncodedRecord> next();

 private:
  std::string path_;
  std::ifstream in_;
  std::unique_ptr<cereal::PortableBinaryInputArchive> archive_;
  EncodingHeader header_;
  std::uint64_t count_ = 0;
  bool ended_ = false;
};

}  // namespace nser::linkage
