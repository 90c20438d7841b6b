#include "linkage/person_normaliser.h"

#include <gtest/gtest.h>

#include "linkage/encoded_record.h"

namespace nser::linkage {
namespace {

NormalisedPerson normalise(const PersonIdentity& identity) { return PersonNormaliser({2026, 11, 26}).normalise(identity); }

TEST(PersonNormaliser, SpellingVariantsOfOnePersonMeet) {
  PersonIdentity a{.name = "Syed Muhammad Qasim", .relationType = "s/o", .relationName = "Ghulam Rasool",
                   .cnic = "35202-1234567-1", .gender = "M", .birthDate = "1985-03-12", .district = "Lahore"};
  PersonIdentity b{.name = "Mohd. Kasim", .relationType = "S/O", .relationName = "Gulam Rasul",
                   .cnic = "3520212345671", .gender = "male", .birthDate = "12/03/1985", .district = "LAHORE"};
  auto na = normalise(a);
  auto nb = normalise(b);
  EXPECT_TRUE(na.usable);
  EXPECT_EQ(na[PersonField::Cnic], "3520212345671");
  EXPECT_EQ(na[PersonField::Cnic], nb[PersonField::Cnic]);
  EXPECT_EQ(na[PersonField::Name], nb[PersonField::Name]);
  EXPECT_EQ(na[PersonField::NamePhonetic], nb[PersonField::NamePhonetic]);
  EXPECT_EQ(na[PersonField::BirthDate], "1985-03-12");
  EXPECT_EQ(na[PersonField::BirthDate], nb[PersonField::BirthDate]);
  EXPECT_EQ(na[PersonField::Gender], "M");
  EXPECT_EQ(na[PersonField::RelationType], "son_of");
  EXPECT_EQ(na[PersonField::District], nb[PersonField::District]);
  EXPECT_EQ(na[PersonField::Titles], "syed");
  EXPECT_TRUE(nb[PersonField::Titles].empty());
  EXPECT_EQ(na.flags, 0u) << na.reason;
}

TEST(PersonNormaliser, RelationInsideTheNameIsUsedWhenNoColumnsGiveIt) {
  auto n = normalise({.name = "Zainab Bibi w/o Muhammad Aslam", .gender = "F"});
  EXPECT_EQ(n[PersonField::RelationType], "wife_of");
  EXPECT_EQ(n[PersonField::Titles], "bibi");
  EXPECT_FALSE(n[PersonField::RelationName].empty());
  EXPECT_EQ(n[PersonField::RelationName], normalise({.name = "x", .relationName = "Mohammad Aslam"})[PersonField::RelationName]);
}

TEST(PersonNormaliser, CnicProblemsAreFlaggedNotFixed) {
  auto mismatch = normalise({.name = "Ayesha", .cnic = "35202-1234567-1", .gender = "F"});
  EXPECT_TRUE(mismatch.flags & kFlagCnicGenderMismatch);
  EXPECT_NE(mismatch.reason.find("cnic:"), std::string::npos);
  EXPECT_EQ(mismatch.reason.find("1234567"), std::string::npos) << "reasons never carry the value";
  auto shortCnic = normalise({.name = "Ayesha", .cnic = "35202-123456"});
  EXPECT_TRUE(shortCnic.flags & kFlagCnicInvalid);
  EXPECT_TRUE(shortCnic[PersonField::Cnic].empty()) << "an invalid CNIC is not used as an identifier";
  EXPECT_TRUE(normalise({.name = "Ayesha"}).flags & kFlagCnicMissing);
}

TEST(PersonNormaliser, PartialAndDefaultedDates) {
  auto yearOnly = normalise({.name = "Ali", .birthDate = "1970"});
  EXPECT_EQ(yearOnly[PersonField::BirthDate], "1970");
  EXPECT_EQ(yearOnly[PersonField::BirthYear], "1970");
  EXPECT_TRUE(yearOnly[PersonField::BirthMonth].empty());
  EXPECT_TRUE(yearOnly.flags & kFlagBirthDatePartial);
  auto defaulted = normalise({.name = "Ali", .birthDate = "1970-01-01"});
  EXPECT_TRUE(defaulted.flags & kFlagBirthDateDefaulted);
  EXPECT_EQ(defaulted[PersonField::BirthMonth], "01");
  EXPECT_EQ(defaulted[PersonField::BirthDay], "01");
}

TEST(PersonNormaliser, ARecordWithoutANameIsUnusable) {
  auto titlesOnly = normalise({.name = " -- ", .cnic = "35202-1234567-1"});
  EXPECT_FALSE(titlesOnly.usable);
  EXPECT_TRUE(titlesOnly.flags & kFlagNameMissing);
  EXPECT_NE(titlesOnly.reason.find("name:"), std::string::npos);
  EXPECT_FALSE(normalise({}).usable);
}

TEST(PersonNormaliser, PhoneAndPlaces) {
  auto n = normalise({.name = "Ali", .district = "Dera Ismail Khan", .tehsil = "Mian Channu", .phone = "+92 300 1234567"});
  EXPECT_EQ(n[PersonField::Phone], "03001234567");
  EXPECT_NE(n[PersonField::Tehsil].find("chanu"), std::string::npos) << "Roman-Urdu canonical: doubled letters collapse";
  EXPECT_NE(n[PersonField::Tehsil].find("mian"), std::string::npos) << "place names keep title-like words";
}

TEST(PersonNormaliser, FieldNamesRoundTrip) {
  for (std::size_t i = 0; i < kPersonFieldCount; ++i) {
    auto field = static_cast<PersonField>(i);
    EXPECT_EQ(personFieldByName(personFieldName(field)), field);
  }
  EXPECT_FALSE(personFieldByName("nope").has_value());
}

}  // namespace
}  // namespace nser::linkage

namespace nser::linkage {
namespace {

// The name memos (name_parse_memo.h) must not change the output: names with
// titles, embedded relations, flags and no name at all, repeated and mixed.
TEST(PersonNormaliser, MemoisedNamesNormaliseLikeUnmemoised) {
  const PersonNormaliser normaliser({2026, 11, 26});
  NormaliserMemo memo;
  const std::vector<std::string> names = {"Syed Muhammad Qasim",  "Mohd. Kasim s/o Ghulam Rasool", "Haji",
                                          "Bibi Zainab w/o Imran Khan", "Abdul Rehman 2",  "",
                                          "Allah Ditta",          "Malik Noor-e-Jahan",          "s/o Akram",
                                          std::string(80, 'a')};
  const std::vector<std::string> relations = {"", "Ghulam Rasool", "Mian Muhammad Aslam", "Khuda Bakhsh", "Sheikh"};
  for (std::size_t i = 0; i < 400; ++i) {
    PersonIdentity identity{.name = names[i % names.size()],
                            .relationType = i % 3 == 0 ? "" : "d/o",
                            .relationName = relations[(i / 3) % relations.size()],
                            .cnic = "35202-1234567-2",
                            .gender = "F",
                            .birthDate = "1990"};
    const NormalisedPerson expected = normaliser.normalise(identity);
    const NormalisedPerson actual = normaliser.normalise(identity, &memo);
    ASSERT_EQ(actual.fields, expected.fields) << "row " << i;
    ASSERT_EQ(actual.flags, expected.flags) << "row " << i;
    ASSERT_EQ(actual.usable, expected.usable) << "row " << i;
    ASSERT_EQ(actual.reason, expected.reason) << "row " << i;
  }
  EXPECT_GT(memo.names.hits(), 300u) << "the memo was exercised";
  EXPECT_GT(memo.relationNames.hits(), 200u);
}

TEST(NameParseMemo, ReturnsWhatWasStoredForTheSameRawValueOnly) {
  NameParseMemo memo(16);
  ParsedNameFields fields;
  fields.canonical = "muhamad kasim";
  fields.phonetic = "MMD KSM";
  fields.relation = RelationType::son_of;
  for (std::size_t i = 0; i + 1 < NameParseMemo::kWarmupLookups; ++i) {
    EXPECT_EQ(memo.find("Muhammad Qasim"), nullptr);
    memo.store("Muhammad Qasim", fields);  // ignored while warming up
  }
  EXPECT_EQ(memo.find("Muhammad Qasim"), nullptr);
  memo.store("Muhammad Qasim", fields);  // the warm-up is over: stored
  const ParsedNameFields* found = memo.find("Muhammad Qasim");
  ASSERT_NE(found, nullptr);
  EXPECT_EQ(found->canonical, "muhamad kasim");
  EXPECT_EQ(found->relation, RelationType::son_of);
  EXPECT_EQ(memo.find("Muhammad Qasi"), nullptr);
  EXPECT_EQ(memo.find("muhammad qasim"), nullptr);
  const std::string tooLong(NameParseMemo::kMaxRawBytes + 1, 'q');
  memo.store(tooLong, fields);
  EXPECT_EQ(memo.find(tooLong), nullptr);
  NameParseMemo moved(std::move(memo));
  ASSERT_NE(moved.find("Muhammad Qasim"), nullptr);
}

}  // namespace
}  // namespace nser::linkage
