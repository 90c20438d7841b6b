#include "linkage/gender.h"

#include <gtest/gtest.h>

namespace nser::linkage {
namespace {

TEST(Gender, RecognisedSpellings) {
  for (const char* male : {"M", "male", "Male", " MALE ", "mard", "1", "\u0645\u0631\u062F"}) {
    const GenderValue value = parseGender(male);
    EXPECT_EQ(value.gender, Gender::male) << male;
    EXPECT_TRUE(value.recognised) << male;
  }
  for (const char* female : {"F", "female", "Aurat", "2", "larki", "\u0639\u0648\u0631\u062A"}) {
    EXPECT_EQ(parseGender(female).gender, Gender::female) << female;
  }
  for (const char* other : {"X", "3", "transgender", "Khwaja Sira"}) {
    EXPECT_EQ(parseGender(other).gender, Gender::other) << other;
  }
}

TEST(Gender, UnknownValues) {
  for (const char* unknown : {"", "U", "unknown", "N/A", "0", "9"}) {
    const GenderValue value = parseGender(unknown);
    EXPECT_EQ(value.gender, Gender::unknown) << unknown;
    EXPECT_TRUE(value.recognised) << unknown;
  }
  const GenderValue bad = parseGender("banana");
  EXPECT_EQ(bad.gender, Gender::unknown);
  EXPECT_FALSE(bad.recognised);
}

TEST(Gender, Names) {
  EXPECT_EQ(genderName(Gender::male), "male");
  EXPECT_EQ(genderName(Gender::female), "female");
  EXPECT_EQ(genderName(Gender::other), "other");
  EXPECT_EQ(genderName(Gender::unknown), "unknown");
}

}  // namespace
}  // namespace nser::linkage
