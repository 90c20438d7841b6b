#include "linkage/honorifics.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "linkage/text_folding.h"

namespace nser::linkage {
namespace {

struct Split {
  std::vector<Title> titles;
  std::vector<std::string> name;
};

Split split(const std::string& raw) {
  const std::string folded = foldText(raw);
  std::vector<std::string_view> tokens;
  splitFoldedTokens(folded, [&](std::string_view t) { tokens.push_back(t); });
  Split result;
  separateTitles(tokens, result.titles);
  for (std::string_view t : tokens) result.name.emplace_back(t);
  return result;
}

using Names = std::vector<std::string>;
using Titles = std::vector<Title>;

TEST(Honorifics, SpellingsMapToCanonicalTitles) {
  const std::pair<const char*, Title> cases[] = {
      {"syed", Title::syed},         {"sayed", Title::syed},        {"sayyid", Title::syed},
      {"syeda", Title::syed},        {"haji", Title::haji},         {"alhaj", Title::haji},
      {"hafiz", Title::hafiz},       {"hafiza", Title::hafiz},      {"mian", Title::mian},
      {"malik", Title::malik},       {"chaudhry", Title::chaudhry}, {"chaudhary", Title::chaudhry},
      {"ch", Title::chaudhry},       {"choudhry", Title::chaudhry}, {"sheikh", Title::sheikh},
      {"shaikh", Title::sheikh},     {"rana", Title::rana},         {"raja", Title::raja},
      {"khawaja", Title::khawaja},   {"khwaja", Title::khawaja},    {"pir", Title::pir},
      {"makhdoom", Title::makhdoom}, {"sardar", Title::sardar},     {"mir", Title::mir},
      {"mirza", Title::mirza},       {"dr", Title::doctor},         {"engr", Title::engineer},
      {"bibi", Title::bibi},         {"begum", Title::begum},       {"khatoon", Title::khatoon},
      {"mai", Title::mai},           {"mst", Title::mussammat},     {"mussammat", Title::mussammat},
      {"maulana", Title::maulana},   {"qazi", Title::qazi},         {"nawab", Title::nawab},
  };
  for (const auto& [spelling, title] : cases) {
    const auto found = lookupTitle(spelling);
    ASSERT_TRUE(found.has_value()) << spelling;
    EXPECT_EQ(*found, title) << spelling;
  }
  EXPECT_FALSE(lookupTitle("khan").has_value()) << "Khan is a family name, never a title";
  EXPECT_FALSE(lookupTitle("shah").has_value()) << "Shah is a family name, never a title";
  EXPECT_FALSE(lookupTitle("ahmad").has_value());
}

TEST(Honorifics, LeadingTitlesAreSeparated) {
  const Split s = split("Haji Hafiz Muhammad Ahmad");
  EXPECT_EQ(s.titles, (Titles{Title::haji, Title::hafiz}));
  EXPECT_EQ(s.name, (Names{"muhammad", "ahmad"}));
  EXPECT_EQ(split("Syed Ali Raza").titles, (Titles{Title::syed}));
  EXPECT_EQ(split("Ch. Muhammad Sarwar").titles, (Titles{Title::chaudhry}));
  EXPECT_EQ(split("Al-Haj Mian Nawaz").titles, (Titles{Title::haji, Title::mian}));
  EXPECT_EQ(split("Al-Haj Mian Nawaz").name, (Names{"nawaz"}));
}

TEST(Honorifics, AmbiguousNamesAreTitlesOnlyWhenLeading) {
  const Split leading = split("Malik Riaz");
  EXPECT_EQ(leading.titles, (Titles{Title::malik}));
  EXPECT_EQ(leading.name, (Names{"riaz"}));
  const Split trailing = split("Riaz Malik");
  EXPECT_TRUE(trailing.titles.empty());
  EXPECT_EQ(trailing.name, (Names{"riaz", "malik"}));
  const Split middle = split("Ahmad Sheikh Ali");
  EXPECT_TRUE(middle.titles.empty());
  EXPECT_TRUE(titleIsAlsoName(Title::malik));
  EXPECT_FALSE(titleIsAlsoName(Title::doctor));
}

TEST(Honorifics, ATitleAloneStaysAName) {
  const Split s = split("Malik");
  EXPECT_TRUE(s.titles.empty());
  EXPECT_EQ(s.name, (Names{"malik"}));
  EXPECT_EQ(split("Bibi").name, (Names{"bibi"}));
}

TEST(Honorifics, CourtesyPrefixesAlwaysStrip) {
  const Split s = split("Dr.");
  EXPECT_EQ(s.titles, (Titles{Title::doctor}));
  EXPECT_TRUE(s.name.empty());
  EXPECT_EQ(split("Mst. Zainab").titles, (Titles{Title::mussammat}));
}

TEST(Honorifics, TrailingWomensMarkers) {
  const Split s = split("Zainab Bibi");
  EXPECT_EQ(s.titles, (Titles{Title::bibi}));
  EXPECT_EQ(s.name, (Names{"zainab"}));
  EXPECT_EQ(split("Nusrat Begum").titles, (Titles{Title::begum}));
  EXPECT_EQ(split("Allah Rakhi Mai").titles, (Titles{Title::mai}));
  EXPECT_EQ(split("Sakina Khatoon").titles, (Titles{Title::khatoon}));
  EXPECT_EQ(split("Aslam Sahib").titles, (Titles{Title::sahib}));
  const Split both = split("Mst. Kalsoom Bibi");
  EXPECT_EQ(both.titles, (Titles{Title::mussammat, Title::bibi}));
  EXPECT_EQ(both.name, (Names{"kalsoom"}));
  EXPECT_TRUE(titleIsFemale(Title::bibi));
  EXPECT_FALSE(titleIsFemale(Title::haji));
}

TEST(Honorifics, TrailingMarkerVariants) {
  EXPECT_EQ(split("Shaista Bb.").titles, (Titles{Title::bibi}));
  EXPECT_EQ(split("Shaista Bb.").name, (Names{"shaista"}));
  EXPECT_EQ(split("Janat Maai").titles, (Titles{Title::mai}));
  EXPECT_EQ(split("Abida Bibbi").titles, (Titles{Title::bibi})) << "canonical form: doubled b";
  EXPECT_EQ(split("Bano Beggum").titles, (Titles{Title::begum}));
  const Split joined = split("Abidabibi");
  EXPECT_EQ(joined.titles, (Titles{Title::bibi}));
  EXPECT_EQ(joined.name, (Names{"abida"}));
  EXPECT_EQ(split("Nusratbegum").name, (Names{"nusrat"}));
  EXPECT_EQ(split("Habibi").name, (Names{"habibi"})) << "too short to hold a name and a marker";
  EXPECT_EQ(split("Hafeez Ahmad").titles, Titles{}) << "leading titles match exact spellings only";
  EXPECT_EQ(split("Wadero Muhammad Shahbaz").titles, (Titles{Title::wadera}));
}

TEST(Honorifics, KhanAndShahStayInTheName) {
  const Split s = split("Syed Ali Shah");
  EXPECT_EQ(s.titles, (Titles{Title::syed}));
  EXPECT_EQ(s.name, (Names{"ali", "shah"}));
  EXPECT_EQ(split("Imran Khan").name, (Names{"imran", "khan"}));
}

TEST(Honorifics, TitleNames) {
  EXPECT_EQ(titleName(Title::syed), "syed");
  EXPECT_EQ(titleName(Title::chaudhry), "chaudhry");
  EXPECT_EQ(titleName(Title::mussammat), "mussammat");
  EXPECT_EQ(titleName(Title::sahib), "sahib");
}

}  // namespace
}  // namespace nser::linkage
