#include "linkage/encoding_file.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "tests/support/temp_dir.h"

namespace nser::linkage {
namespace {

using nser::testing::TempDir;

EncodingHeader sampleHeader() {
  EncodingHeader header;
  header.schemaId = "nser-synth-v1";
  header.schemaDigest = std::string(64, 'a');
  header.keyEpoch = 2;
  header.keyFingerprint = "0123456789abcdef";
  header.clkBits = 128;
  header.fieldNames = {"name", "dob"};
  header.fieldBits = {64, 64};
  header.hardening = "none";
  return header;
}

EncodedRecord sampleRecord(int i) {
  EncodedRecord record;
  record.id = "rec-" + std::to_string(i);
  record.clk = {static_cast<std::uint64_t>(i), ~static_cast<std::uint64_t>(i)};
  record.fieldFilters = {{1u << i}, {2}};
  KeyedToken token;
  token.kind = TokenKind::BirthYear;
  token.digest.fill(static_cast<std::uint8_t>(i));
  record.tokens = {token};
  record.flags = kFlagBirthDatePartial;
  return record;
}

TEST(EncodingFile, RoundTripsHeaderAndRecordsInOrder) {
  TempDir dir;
  auto path = (dir / "out.nse").string();
  {
    EncodingFileWriter writer(path, sampleHeader());
    for (int i = 0; i < 10; ++i) writer.write(sampleRecord(i));
    writer.finish();
    EXPECT_EQ(writer.recordsWritten(), 10u);
  }
  EncodingFileReader reader(path);
  EXPECT_EQ(reader.header().schemaId, "nser-synth-v1");
  EXPECT_EQ(reader.header().keyEpoch, 2u);
  EXPECT_EQ(reader.header().fieldNames, (std::vector<std::string>{"name", "dob"}));
  for (int i = 0; i < 10; ++i) {
    auto record = reader.next();
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->id, "rec-" + std::to_string(i));
    EXPECT_EQ(record->clk, sampleRecord(i).clk);
    EXPECT_EQ(record->fieldFilters, sampleRecord(i).fieldFilters);
    ASSERT_EQ(record->tokens.size(), 1u);
    EXPECT_EQ(record->tokens[0], sampleRecord(i).tokens[0]);
    EXPECT_EQ(record->flags, kFlagBirthDatePartial);
  }
  EXPECT_FALSE(reader.next().has_value());
  EXPECT_FALSE(reader.next().has_value());
}

TEST(EncodingFile, DetectsTruncationAndForeignFiles) {
  TempDir dir;
  auto path = (dir / "out.nse").string();
  {
    EncodingFileWriter writer(path, sampleHeader());
    for (int i = 0; i < 5; ++i) writer.write(sampleRecord(i));
    writer.finish();
  }
  std::filesystem::resize_file(path, std::filesystem::file_size(path) - 12);
  EncodingFileReader reader(path);
  auto readAll = [&] {
    while (reader.next()) {
    }
  };
  EXPECT_THROW(readAll(), EncodingFileError);

  nser::testing::writeFile(dir / "bogus", "not an encoding file at all");
  EXPECT_THROW(EncodingFileReader((dir / "bogus").string()), EncodingFileError);
  EXPECT_THROW(EncodingFileReader((dir / "missing").string()), EncodingFileError);
}

}  // namespace
}  // namespace nser::linkage
