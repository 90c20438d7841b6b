#include "linkage/clk_json.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "schemas/json_document.h"
#include "tests/support/temp_dir.h"

namespace nser::linkage {
namespace {

TEST(ClkJson, WritesWhatPythonsJsonDumpWrites) {
  std::ostringstream out;
  ClkJsonWriter writer(out);
  BloomFilter a(64);
  a.set(0);
  writer.add(a);
  writer.add(BloomFilter(64));
  writer.finish();
  writer.finish();
  // json.dump({"clks": [...]}, f): ", " separators, no newline.
  EXPECT_EQ(out.str(), R"({"clks": ["gAAAAAAAAAA=", "AAAAAAAAAAA="]})");
  EXPECT_EQ(writer.count(), 2U);
}

TEST(ClkJson, EmptyListIsValid) {
  std::ostringstream out;
  ClkJsonWriter writer(out);
  writer.finish();
  EXPECT_EQ(out.str(), R"({"clks": []})");
}

TEST(ClkJson, ReadsBackAndNamesTheBadEntry) {
  testing::TempDir dir;
  const std::string good = (dir.path() / "good.json").string();
  testing::writeFile(good, R"({"clks": ["gAAAAAAAAAA="]})");
  const auto clks = readClkJson(good);
  ASSERT_EQ(clks.size(), 1U);
  EXPECT_TRUE(clks[0].test(0));
  const std::string bad = (dir.path() / "bad.json").string();
  testing::writeFile(bad, R"({"clks": ["gAAAAAAAAAA=", "???"]})");
  try {
    readClkJson(bad);
    FAIL() << "expected a DocumentError";
  } catch (const schemas::DocumentError& error) {
    EXPECT_NE(std::string(error.what()).find("clks[1]"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace nser::linkage
