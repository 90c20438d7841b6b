#include "linkage/csv_reader.h"

#include <gtest/gtest.h>

#include <sstream>

namespace nser::linkage {
namespace {

using Fields = std::vector<std::string>;

TEST(CsvReader, ReadsQuotedFieldsAcrossLinesAndKeepsLineNumbers) {
  std::istringstream in(
      "\xEF\xBB\xBFsource,name\r\n"
      "a,\"Khan, Muhammad\"\r\n"
      "\n"
      "b,\"say \"\"hi\"\"\"\n"
      "c,\"two\nlines\"\n"
      "d,,\n"
      "e,\"\"\n");
  CsvReader reader(in);
  Fields f;
  ASSERT_EQ(reader.next(f), CsvStatus::Record);
  EXPECT_EQ(f, (Fields{"source", "name"}));
  EXPECT_EQ(reader.lineNumber(), 1u);
  ASSERT_EQ(reader.next(f), CsvStatus::Record);
  EXPECT_EQ(f, (Fields{"a", "Khan, Muhammad"}));
  ASSERT_EQ(reader.next(f), CsvStatus::Record);  // the empty line is skipped
  EXPECT_EQ(f, (Fields{"b", "say \"hi\""}));
  EXPECT_EQ(reader.lineNumber(), 4u);
  ASSERT_EQ(reader.next(f), CsvStatus::Record);
  EXPECT_EQ(f, (Fields{"c", "two\nlines"}));
  EXPECT_EQ(reader.lineNumber(), 5u);
  ASSERT_EQ(reader.next(f), CsvStatus::Record);
  EXPECT_EQ(f, (Fields{"d", "", ""}));
  EXPECT_EQ(reader.lineNumber(), 7u);
  ASSERT_EQ(reader.next(f), CsvStatus::Record);
  EXPECT_EQ(f, (Fields{"e", ""}));
  EXPECT_EQ(reader.next(f), CsvStatus::End);
}

TEST(CsvReader, ReportsMalformedRecordsAsValues) {
  Fields f;
  {
    std::istringstream in("ok\nx,\"open\n");
    CsvReader reader(in);
    ASSERT_EQ(reader.next(f), CsvStatus::Record);
    EXPECT_EQ(reader.next(f), CsvStatus::Malformed);
    EXPECT_EQ(reader.lineNumber(), 2u);
    EXPECT_EQ(reader.reason(), "unterminated quoted field");
  }
  {
    std::istringstream in("a,b\"c\n");
    CsvReader reader(in);
    EXPECT_EQ(reader.next(f), CsvStatus::Malformed);
    EXPECT_EQ(reader.reason(), "a quote inside unquoted field 2");
  }
  {
    std::istringstream in("\"a\"b,c\n");
    CsvReader reader(in);
    EXPECT_EQ(reader.next(f), CsvStatus::Malformed);
    EXPECT_EQ(reader.reason(), "text after a closing quote in field 1");
  }
}

TEST(CsvHeader, FindsColumnsByName) {
  const CsvHeader header({"a_id", "b_id", "score"});
  EXPECT_EQ(header.find("score"), 2u);
  EXPECT_FALSE(header.find("missing").has_value());
  EXPECT_EQ(header.size(), 3u);
}

}  // namespace
}  // namespace nser::linkage
