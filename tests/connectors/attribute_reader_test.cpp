#include "connectors/attribute_reader.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <stdexcept>

#include "connectors/source_reader.h"
#include "tests/support/temp_dir.h"

using namespace nser::connectors;

namespace {

SourceMapping mapping() {
  SourceMapping m;
  m.keyColumn = "beneficiary_id";
  m.identity = {{"name", "full_name"}};
  m.attributes = {{"household_income", "income_pkr", "integer", "monthly income", "high"},
                  {"district", "district_name", "string", "district of residence", "low"},
                  {"disability_status", "disability", "string", "disability", "high"}};
  return m;
}

SourceConfig csvSource(const std::filesystem::path& file) {
  SourceConfig source;
  source.type = "csv";
  source.path = file.string();
  return source;
}

const std::string kHeader = "beneficiary_id,full_name,income_pkr,district_name,disability\n";

// Rewrites `file` and moves its modification time, so a rewrite within the
// file system's timestamp granularity is still seen as a change.
void rewrite(const std::filesystem::path& file, const std::string& text, int secondsLater) {
  nser::testing::writeFile(file, text);
  std::filesystem::last_write_time(file, std::filesystem::file_time_type::clock::now() +
                                             std::chrono::seconds(secondsLater));
}

}  // namespace

TEST(AttributeReader, ReadsExactlyTheAskedCatalogueAttributesOfOneRow) {
  nser::testing::TempDir dir;
  const auto file = dir / "people.csv";
  nser::testing::writeFile(file, kHeader + "b-1,Person One,12000,Lahore,none\n"
                                           "b-2,\"Person, Two\",\"34,000\",Multan,visual\n"
                                           "b-3,Person Three,,Bahawalpur,\n");
  AttributeReader reader(csvSource(file), mapping());

  const auto one = reader.read("b-1", {"household_income"});
  ASSERT_TRUE(one);
  EXPECT_EQ(*one, (std::map<std::string, std::string>{{"household_income", "12000"}}));

  const auto two = reader.read("b-2", {"district", "household_income", "disability_status"});
  ASSERT_TRUE(two);
  EXPECT_EQ(*two, (std::map<std::string, std::string>{
                      {"district", "Multan"}, {"household_income", "34,000"}, {"disability_status", "visual"}}));
  // Empty fields are empty values, not missing ones.
  const auto three = reader.read("b-3", {"household_income", "district"});
  ASSERT_TRUE(three);
  EXPECT_EQ(*three, (std::map<std::string, std::string>{{"household_income", ""}, {"district", "Bahawalpur"}}));
  // The identity columns are never attributes, even when they are columns.
  EXPECT_THROW(reader.read("b-1", {"full_name"}), std::invalid_argument);
}

TEST(AttributeReader, UnknownAttributeThrowsAndMissingKeyIsEmpty) {
  nser::testing::TempDir dir;
  const auto file = dir / "people.csv";
  nser::testing::writeFile(file, kHeader + "b-1,Person One,12000,Lahore,none\n");
  AttributeReader reader(csvSource(file), mapping());
  try {
    reader.read("b-1", {"district", "bank_account"});
    FAIL() << "an attribute outside the catalogue was read";
  } catch (const std::invalid_argument& e) {
    EXPECT_NE(std::string(e.what()).find("bank_account"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(reader.read("b-404", {"district"}));
  EXPECT_FALSE(reader.read("", {"district"}));
  EXPECT_TRUE(reader.read("b-1", {"district"}));
}

TEST(AttributeReader, ARewrittenFileIsReindexed) {
  nser::testing::TempDir dir;
  const auto file = dir / "people.csv";
  nser::testing::writeFile(file, kHeader + "b-1,Person One,12000,Lahore,none\n"
                                           "b-2,Person Two,34000,Multan,visual\n"
                                           "b-3,Person Three,5000,Bahawalpur,none\n");
  AttributeReader reader(csvSource(file), mapping());
  ASSERT_EQ(reader.read("b-2", {"household_income"})->at("household_income"), "34000");
  ASSERT_EQ(reader.read("b-3", {"district"})->at("district"), "Bahawalpur");

  // Rows reordered, one changed, one removed, one added.
  rewrite(file, kHeader + "b-4,Person Four,7000,Sukkur,none\n"
                          "b-3,Person Three,5500,Rahim Yar Khan,none\n"
                          "b-2,Person Two,36000,Multan,visual\n",
          2);
  EXPECT_EQ(reader.read("b-2", {"household_income"})->at("household_income"), "36000");
  EXPECT_EQ(*reader.read("b-3", {"household_income", "district"}),
            (std::map<std::string, std::string>{{"household_income", "5500"}, {"district", "Rahim Yar Khan"}}));
  EXPECT_EQ(reader.read("b-4", {"district"})->at("district"), "Sukkur");
  EXPECT_FALSE(reader.read("b-1", {"district"}));

  // The same size and a restored modification time: the index's offsets no
  // longer point at rows carrying their keys, which also triggers a re-index.
  const auto time = std::filesystem::last_write_time(file);
  const std::string swapped = kHeader + "b-2,Person Two,36000,Multan,visual\n"
                                        "b-3,Person Three,5500,Rahim Yar Khan,none\n"
                                        "b-4,Person Four,7000,Sukkur,none\n";
  nser::testing::writeFile(file, swapped);
  std::filesystem::last_write_time(file, time);
  EXPECT_EQ(reader.read("b-4", {"district"})->at("district"), "Sukkur");
  EXPECT_EQ(reader.read("b-2", {"district"})->at("district"), "Multan");
}

TEST(AttributeReader, AFileReplacedByRenameIsReadFromTheNewFile) {
  nser::testing::TempDir dir;
  const auto file = dir / "people.csv";
  nser::testing::writeFile(file, kHeader + "b-1,Person One,12000,Lahore,none\n");
  AttributeReader reader(csvSource(file), mapping());
  ASSERT_EQ(reader.read("b-1", {"household_income"})->at("household_income"), "12000");
  // An export written beside the old one and renamed over it: same size, same
  // modification time, same row offsets; only the file (inode) differs. The
  // reader keeps the indexed file open, so it must notice the new file.
  const auto time = std::filesystem::last_write_time(file);
  const auto next = dir / "people.csv.new";
  nser::testing::writeFile(next, kHeader + "b-1,Person One,99000,Lahore,none\n");
  std::filesystem::last_write_time(next, time);
  std::filesystem::rename(next, file);
  EXPECT_EQ(reader.read("b-1", {"household_income"})->at("household_income"), "99000");
}

TEST(AttributeReader, SourceProblemsAreSourceErrors) {
  nser::testing::TempDir dir;
  EXPECT_THROW(AttributeReader(csvSource(dir / "missing.csv"), mapping()).read("b-1", {"district"}), SourceError);
  const auto noKey = dir / "nokey.csv";
  nser::testing::writeFile(noKey, "id,income_pkr,district_name,disability\n1,2,3,4\n");
  EXPECT_THROW(AttributeReader(csvSource(noKey), mapping()).read("1", {"district"}), SourceError);
  // A catalogue attribute whose column the file lacks.
  const auto noColumn = dir / "nocolumn.csv";
  nser::testing::writeFile(noColumn, "beneficiary_id,income_pkr,district_name\nb-1,2,Lahore\n");
  AttributeReader reader(csvSource(noColumn), mapping());
  EXPECT_EQ(reader.read("b-1", {"district"})->at("district"), "Lahore");
  EXPECT_THROW(reader.read("b-1", {"disability_status"}), SourceError);
}
