#include "linkage/person_name.h"

#include <gtest/gtest.h>

namespace nser::linkage {
namespace {

using Strings = std::vector<std::string>;

TEST(PersonName, SpecExample) {
  const PersonName p = parsePersonName("Zainab Bibi w/o Muhammad Aslam");
  EXPECT_EQ(p.name.tokens, (Strings{"zainab"}));
  EXPECT_EQ(p.name.canonical(), "zainab");
  EXPECT_EQ(p.name.titles, (std::vector<Title>{Title::bibi}));
  EXPECT_EQ(p.relation, RelationType::wife_of);
  EXPECT_EQ(p.relationName.tokens, (Strings{"muhammad", "aslam"}));
  EXPECT_EQ(p.relationName.canonical(), "muhamad aslam");
  EXPECT_EQ(p.flags, 0u);
}

TEST(PersonName, RelationMarkers) {
  const std::pair<const char*, RelationType> cases[] = {
      {"Ali s/o Ahmad", RelationType::son_of},          {"Ali S/O Ahmad", RelationType::son_of},
      {"Ali S.O. Ahmad", RelationType::son_of},         {"Ali son of Ahmad", RelationType::son_of},
      {"Ali SO Ahmad", RelationType::son_of},           {"Ali bin Ahmad", RelationType::son_of},
      {"Ali ibn Ahmad", RelationType::son_of},          {"Ali walad Ahmad", RelationType::son_of},
      {"Sana d/o Ahmad", RelationType::daughter_of},    {"Sana d/o. Ahmad", RelationType::daughter_of},
      {"Sana D/O Ahmad", RelationType::daughter_of},    {"Sana daughter of Ahmad", RelationType::daughter_of},
      {"Sana bint Ahmad", RelationType::daughter_of},   {"Sana binte Ahmad", RelationType::daughter_of},
      {"Sana w/o Ahmad", RelationType::wife_of},        {"Sana W/O Ahmad", RelationType::wife_of},
      {"Sana wife of Ahmad", RelationType::wife_of},    {"Sana zauja Ahmad", RelationType::wife_of},
      {"Sana wd/o Ahmad", RelationType::widow_of},      {"Sana w/d/o Ahmad", RelationType::widow_of},
      {"Sana widow of Ahmad", RelationType::widow_of},  {"Ali h/o Sana", RelationType::husband_of},
  };
  for (const auto& [text, type] : cases) {
    const PersonName p = parsePersonName(text);
    EXPECT_EQ(p.relation, type) << text;
    EXPECT_EQ(p.relationName.tokens.size(), 1u) << text;
    EXPECT_EQ(p.name.tokens.size(), 1u) << text;
  }
}

TEST(PersonName, AmbiguousMarkersNeedANameOnBothSides) {
  EXPECT_EQ(parsePersonName("Bin Yamin").relation, RelationType::none);
  EXPECT_EQ(parsePersonName("Ali bin").relation, RelationType::none);
  const PersonName leading = parsePersonName("S/O Ghulam Rasool");
  EXPECT_EQ(leading.relation, RelationType::son_of);
  EXPECT_TRUE(leading.flags & kNameEmpty);
}

TEST(PersonName, TitlesOnBothSides) {
  const PersonName p = parsePersonName("Mst. Kalsoom Begum D/O Haji Ghulam Rasool");
  EXPECT_EQ(p.name.titles, (std::vector<Title>{Title::mussammat, Title::begum}));
  EXPECT_EQ(p.name.canonical(), "kulsum");
  EXPECT_EQ(p.relation, RelationType::daughter_of);
  EXPECT_EQ(p.relationName.titles, (std::vector<Title>{Title::haji}));
  EXPECT_EQ(p.relationName.canonical(), "ghulamrasul");  // Ghulam joins its name
}

TEST(PersonName, Flags) {
  EXPECT_TRUE(parsePersonName("").flags & kNameEmpty);
  EXPECT_TRUE(parsePersonName("Dr.").flags & kNameEmpty);
  const PersonName dangling = parsePersonName("Ali s/o");
  EXPECT_EQ(dangling.relation, RelationType::son_of);
  EXPECT_TRUE(dangling.flags & kNameRelationWithoutName);
  const PersonName twice = parsePersonName("Ali s/o Ahmad s/o Karim");
  EXPECT_TRUE(twice.flags & kNameMultipleRelations);
  EXPECT_EQ(twice.relationName.tokens, (Strings{"ahmad"}));
  EXPECT_TRUE(parsePersonName("Ali 2").flags & kNameHasDigits);
  EXPECT_TRUE(parsePersonName(std::string("Ali\xFF")).flags & kNameInvalidUtf8);
  const PersonName urdu = parsePersonName("\u0639\u0644\u06CC");
  EXPECT_TRUE(urdu.flags & kNameNonLatinScript);
  EXPECT_EQ(urdu.name.canonicalTokens, (Strings{"\u0639\u0644\u06CC"}));
  EXPECT_EQ(twice.reason.find("ahmad"), std::string::npos) << "reason never holds the name";
  EXPECT_FALSE(twice.reason.empty());
}

TEST(PersonName, JoinedForm) {
  const NameParts a = parseNameParts("Noor Jahan");
  const NameParts b = parseNameParts("Noorjahan");
  EXPECT_NE(a.canonical(), b.canonical());
  EXPECT_EQ(a.joined(), b.joined());
}

TEST(PersonName, ParseNameParts) {
  std::uint32_t flags = 0;
  const NameParts parts = parseNameParts("Ch. Abdul Rehman", &flags);
  EXPECT_EQ(flags, 0u);
  EXPECT_EQ(parts.titles, (std::vector<Title>{Title::chaudhry}));
  EXPECT_EQ(parts.canonical(), "abdulrahman");
  EXPECT_EQ(parseNameParts("Ali s/o Ahmad").tokens.size(), 4u) << "no relation parsing here";
  parseNameParts("", &flags);
  EXPECT_EQ(flags, kNameEmpty);
}

TEST(PersonName, RelationTypeColumn) {
  EXPECT_EQ(parseRelationType("S/O").type, RelationType::son_of);
  EXPECT_EQ(parseRelationType("son_of").type, RelationType::son_of);
  EXPECT_EQ(parseRelationType("d/o").type, RelationType::daughter_of);
  EXPECT_EQ(parseRelationType("daughter_of").type, RelationType::daughter_of);
  EXPECT_EQ(parseRelationType("W/O").type, RelationType::wife_of);
  EXPECT_EQ(parseRelationType("wife_of").type, RelationType::wife_of);
  EXPECT_EQ(parseRelationType("widow").type, RelationType::widow_of);
  EXPECT_TRUE(parseRelationType("").recognised);
  EXPECT_FALSE(parseRelationType("cousin").recognised);
  EXPECT_EQ(relationTypeName(RelationType::wife_of), "wife_of");
}

TEST(PersonName, ImpliedGender) {
  EXPECT_EQ(impliedGender(RelationType::son_of), Gender::male);
  EXPECT_EQ(impliedGender(RelationType::daughter_of), Gender::female);
  EXPECT_EQ(impliedGender(RelationType::wife_of), Gender::female);
  EXPECT_EQ(impliedGender(RelationType::widow_of), Gender::female);
  EXPECT_EQ(impliedGender(RelationType::none), Gender::unknown);
}

}  // namespace
}  // namespace nser::linkage
