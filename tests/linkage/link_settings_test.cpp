// Link settings: the default document's values, and the checks on the
// training and clustering keys.
#include "linkage/link_settings.h"

#include <gtest/gtest.h>

#include <string>

namespace nser::linkage {
namespace {

const std::string kDefault = std::string(NSER_SOURCE_DIR) + "/schemas/linkage/nser-person-v1.link.json";

LinkSettings parse(const std::string& training, const std::string& clustering) {
  const std::string text = R"({"format": "nser-link-settings", "version": 1,
    "blocking": {"version": 1, "strategies": [{"name": "cnic", "type": "tokens", "key": ["cnic"]}]},
    "comparisons": [{"name": "cnic", "type": "token_agreement", "levels": [
      {"label": "exact", "token_kinds": ["cnic"]}, {"label": "disagree"}]}],
    "training": )" + training + R"(, "clustering": )" + clustering + "}";
  return parseLinkSettings(schemas::JsonNode::parseText(text, "settings.json"));
}

std::string errorOf(const std::string& training, const std::string& clustering) {
  try {
    parse(training, clustering);
  } catch (const std::exception& error) {
    return error.what();
  }
  return "";
}

TEST(LinkSettings, DefaultDocumentUsesCandidateUAndBestLinks) {
  const LinkSettings settings = loadLinkSettings(kDefault);
  ASSERT_TRUE(settings.training.anchorComparison);
  EXPECT_EQ(settings.comparisons.comparisons()[*settings.training.anchorComparison].name, "cnic");
  EXPECT_TRUE(settings.training.uFromCandidates);
  EXPECT_EQ(settings.maxLinksPerRecord, 3u);
  EXPECT_EQ(settings.threshold, 0.9);
  EXPECT_FALSE(settings.blocking.usesClk());
}

TEST(LinkSettings, TrainingAndClusteringKeys) {
  const LinkSettings plain = parse("{}", "{}");
  EXPECT_FALSE(plain.training.uFromCandidates);
  EXPECT_EQ(plain.maxLinksPerRecord, 3u);
  const LinkSettings set =
      parse(R"({"anchor": "cnic", "u_source": "candidates_anchor_disagree"})", R"({"max_links_per_record": 1})");
  EXPECT_TRUE(set.training.uFromCandidates);
  EXPECT_EQ(set.maxLinksPerRecord, 1u);
  EXPECT_FALSE(parse(R"({"anchor": "cnic", "u_source": "random_pairs"})", "{}").training.uFromCandidates);

  EXPECT_NE(errorOf(R"({"u_source": "candidates_anchor_disagree"})", "{}").find("training.u_source"),
            std::string::npos);
  EXPECT_NE(errorOf(R"({"anchor": "cnic", "u_source": "candidates"})", "{}").find("training.u_source"),
            std::string::npos);
  EXPECT_NE(errorOf("{}", R"({"max_links_per_record": 0})").find("clustering.max_links_per_record"),
            std::string::npos);
  EXPECT_NE(errorOf("{}", R"({"max_links": 2})").find("clustering"), std::string::npos);
}

}  // namespace
}  // namespace nser::linkage
