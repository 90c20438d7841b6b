#include "linkage/soundex.h"

#include <gtest/gtest.h>

namespace nser::linkage {
namespace {

TEST(Soundex, PublishedExamples) {
  // US National Archives examples.
  EXPECT_EQ(soundex("Robert"), "R163");
  EXPECT_EQ(soundex("Rupert"), "R163");
  EXPECT_EQ(soundex("Rubin"), "R150");
  EXPECT_EQ(soundex("Ashcraft"), "A261");  // H does not separate s and c
  EXPECT_EQ(soundex("Ashcroft"), "A261");
  EXPECT_EQ(soundex("Tymczak"), "T522");   // vowels separate equal codes
  EXPECT_EQ(soundex("Pfister"), "P236");   // first letter's code suppresses f
  EXPECT_EQ(soundex("Honeyman"), "H555");
  EXPECT_EQ(soundex("Lee"), "L000");
  EXPECT_EQ(soundex("Gutierrez"), "G362");
  EXPECT_EQ(soundex("Jackson"), "J250");
}

TEST(Soundex, CaseAndNonLetters) {
  EXPECT_EQ(soundex("robert"), "R163");
  EXPECT_EQ(soundex("O'Hara"), "O600");
  EXPECT_EQ(soundex(""), "");
  EXPECT_EQ(soundex("123"), "");
}

}  // namespace
}  // namespace nser::linkage
