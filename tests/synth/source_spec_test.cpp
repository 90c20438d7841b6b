#include "synth/source_spec.h"

#include <gtest/gtest.h>

#include "schemas/json_document.h"
#include "tests/support/temp_dir.h"

namespace nser::synth {
namespace {

const std::vector<std::string> kProvinces = {"Punjab", "Sindh", "Khyber Pakhtunkhwa", "Balochistan"};

std::string errorFor(const std::string& json) {
  nser::testing::TempDir dir;
  nser::testing::writeFile(dir / "sources.json", json);
  try {
    loadSources((dir / "sources.json").string(), kProvinces);
  } catch (const schemas::DocumentError& e) {
    return e.what();
  }
  return "";
}

TEST(SourceSpec, ExampleFileLoadsAndMatchesTheDefaults) {
  const std::vector<SourceSpec> example =
      loadSources(std::string(NSER_SOURCE_DIR) + "/schemas/synth-sources.example.json", kProvinces);
  const std::vector<SourceSpec> defaults = defaultSources();
  ASSERT_EQ(example.size(), defaults.size() + 1);
  for (std::size_t i = 0; i < defaults.size(); ++i) {
    EXPECT_EQ(example[i].name, defaults[i].name);
    EXPECT_EQ(example[i].registry, defaults[i].registry);
    EXPECT_EQ(example[i].provinces, defaults[i].provinces);
    EXPECT_DOUBLE_EQ(example[i].pmtMax, defaults[i].pmtMax);
    EXPECT_EQ(example[i].pmtMaxDisability, defaults[i].pmtMaxDisability);
    EXPECT_DOUBLE_EQ(example[i].coverage, defaults[i].coverage);
    EXPECT_EQ(example[i].members, defaults[i].members);
    EXPECT_DOUBLE_EQ(example[i].corruptionScale, defaults[i].corruptionScale);
  }
  EXPECT_EQ(example.back().members, MemberFilter::kChildren);
  EXPECT_EQ(example.back().profile, Profile::kHard);
}

TEST(SourceSpec, ErrorsNameTheKey) {
  EXPECT_NE(errorFor(R"({"sources":[{"name":"a","coverage":0.5,"covrage":1}]})").find("sources[0]"),
            std::string::npos);
  EXPECT_NE(errorFor(R"({"sources":[{"name":"a","coverage":1.5}]})").find("sources[0].coverage"), std::string::npos);
  EXPECT_NE(errorFor(R"({"sources":[{"name":"a","coverage":1,"provinces":["Punjb"]}]})").find("unknown province"),
            std::string::npos);
  EXPECT_NE(errorFor(R"({"sources":[{"name":"a","coverage":1},{"name":"a","coverage":1}]})").find("duplicate"),
            std::string::npos);
  EXPECT_NE(errorFor(R"({"sources":[{"name":"A b","coverage":1}]})").find("sources[0].name"), std::string::npos);
  EXPECT_NE(errorFor(R"({"sources":[{"name":"truth","coverage":1}]})").find("reserved"), std::string::npos);
  EXPECT_NE(errorFor(R"({"sources":[{"name":"a","registry":true,"coverage":1},{"name":"b","registry":true,"coverage":1}]})")
                .find("only one"),
            std::string::npos);
  EXPECT_NE(errorFor(R"({"sources":[]})").find("at least one"), std::string::npos);
  EXPECT_EQ(errorFor(R"({"sources":[{"name":"ok_1","coverage":1,"members":"heads","profile":"clean"}]})"), "");
}

}  // namespace
}  // namespace nser::synth
