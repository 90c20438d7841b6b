#include "linkage/encoding_file.h"

#include <cstring>

namespace nser::linkage {

namespace {
constexpr char kMagic[8] = {'N', 'S', 'E', 'R', 'E', 'N', 'C', '1'};
constexpr std::uint8_t kRecordTag = 1;
constexpr std::uint8_t kEndTag = 0;
// A record is written as many small pieces; a large buffer turns them into
// few write calls (the default 8 KiB made the system calls a visible share
// of `nser encode`).
constexpr std::size_t kWriteBufferBytes = std::size_t{1} << 20;
}  // namespace

EncodingFileWriter::EncodingFileWriter(const std::string& path, const EncodingHeader& header)
    : path_(path), buffer_(std::make_unique<char[]>(kWriteBufferBytes)) {
  out_.rdbuf()->pubsetbuf(buffer_.get(), static_cast<std::streamsize>(kWriteBufferBytes));  // before open()
  out_.open(path, std::ios::binary | std::ios::trunc);
  if (!out_) throw EncodingFileError(path + ": cannot create encoding file");
  out_.write(kMagic, sizeof(kMagic));
  archive_ = std::make_unique<cereal::PortableBinaryOutputArchive>(out_);
  (*archive_)(header);
}

EncodingFileWriter::~EncodingFileWriter() = default;

void EncodingFileWriter::write(const EncodedRecord& record) {
  (*archive_)(kRecordTag, record);
  ++count_;
}

void EncodingFileWriter::finish() {
  if (finished_) return;
  (*archive_)(kEndTag, count_);
  finished_ = true;
  out_.flush();
  if (!out_) throw EncodingFileError(path_ + ": write failed (disk full?)");
}

EncodingFileReader::EncodingFileReader(const std::string& path) : path_(path), in_(path, std::ios::binary) {
  if (!in_) throw EncodingFileError(path + ": cannot open encoding file");
  char magic[sizeof(kMagic)] = {};
  in_.read(magic, sizeof(magic));
  if (!in_ || std::memcmp(magic, kMagic, sizeof(kMagic)) != 0) {
    throw EncodingFileError(path + ": not an NSER encoding file (bad magic)");
  }
  archive_ = std::make_unique<cereal::PortableBinaryInputArchive>(in_);
  try {
    (*archive_)(header_);
  } catch (const cereal::Exception& error) {
    throw EncodingFileError(path + ": truncated or malformed header: " + error.what());
  }
  if (header_.formatVersion != kEncodingFormatVersion) {
    throw EncodingFileError(path + ": encoding format version " + std::to_string(header_.formatVersion) +
                            " is not supported (this build reads version " +
                            std::to_string(kEncodingFormatVersion) + ")");
  }
}

EncodingFileReader::~EncodingFileReader() = default;

std::optional<EncodedRecord> EncodingFileReader::next() {
  if (ended_) return std::nullopt;
  try {
    std::uint8_t tag = 0;
    (*archive_)(tag);
    if (tag == kEndTag) {
      std::uint64_t declared = 0;
      (*archive_)(declared);
      ended_ = true;
      if (declared != count_) {
        throw EncodingFileError(path_ + ": end marker declares " + std::to_string(declared) + " records, read " +
                                std::to_string(count_));
      }
      return std::nullopt;
    }
    if (tag != kRecordTag) {
      throw EncodingFileError(path_ + ": record " + std::to_string(count_) + ": unknown tag " + std::to_string(tag));
    }
    EncodedRecord record;
    (*archive_)(record);
    ++count_;
    return record;
  } catch (const cereal::Exception& error) {
    throw EncodingFileError(path_ + ": truncated or malformed at record " + std::to_string(count_) + ": " +
                            error.what());
  }
}

}  // namespace nser::linkage
