#include "synth/csv_format.h"

#include <gtest/gtest.h>

namespace nser::synth {
namespace {

TEST(CsvFormat, QuotesOnlyWhenNeededAndRoundTrips) {
  std::string line;
  appendCsvField(line, "plain");
  line.push_back(',');
  appendCsvField(line, "House No. 5, Street 2");
  line.push_back(',');
  appendCsvField(line, "say \"hi\"");
  line.push_back(',');
  appendCsvField(line, "");
  EXPECT_EQ(line, "plain,\"House No. 5, Street 2\",\"say \"\"hi\"\"\",");
  std::vector<std::string> fields;
  ASSERT_TRUE(splitCsvLine(line + "\r", fields));
  EXPECT_EQ(fields, (std::vector<std::string>{"plain", "House No. 5, Street 2", "say \"hi\"", ""}));
  EXPECT_FALSE(splitCsvLine("\"open", fields));
}

}  // namespace
}  // namespace nser::synth
