#include "linkage/roman_urdu_phonetic.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nser::linkage {
namespace {

void expectSameKey(const std::vector<std::string>& group) {
  const std::string first = romanUrduKey(group.front());
  EXPECT_FALSE(first.empty());
  for (const std::string& spelling : group) {
    EXPECT_EQ(romanUrduKey(spelling), first) << spelling << " vs " << group.front();
  }
}

TEST(RomanUrduPhonetic, GroupsTheBriefsVariants) {
  expectSameKey({"muhammad", "mohammad", "mohammed", "muhammed", "mohd", "muhd", "md"});
  expectSameKey({"qasim", "kasim", "qaasim"});
  expectSameKey({"zainab", "zaineb", "zenab"});
  expectSameKey({"hussain", "husain", "hussein", "husein"});
  expectSameKey({"fatima", "fatimah", "fatma"});
  expectSameKey({"nasreen", "nasrin"});
  expectSameKey({"rehman", "rahman", "rahmaan"});
}

TEST(RomanUrduPhonetic, VowelAndConsonantVariantsBeyondTheRules) {
  expectSameKey({"usman", "osman", "uthman"});
  expectSameKey({"imran", "emran"});
  expectSameKey({"ayesha", "aisha", "ayisha"});
  expectSameKey({"maryam", "mariam", "mariyam"});
  expectSameKey({"rasheed", "rashid", "rashed"});
  expectSameKey({"ghulam", "gulam"});
  expectSameKey({"shakeel", "shakil"});
  expectSameKey({"sohail", "suhail"});
  expectSameKey({"sajid", "saajid"});
}

TEST(RomanUrduPhonetic, KeepsDistinctNamesApart) {
  EXPECT_NE(romanUrduKey("khalid"), romanUrduKey("kalim"));
  EXPECT_EQ(romanUrduKey("khan"), romanUrduKey("kan")) << "the h of kh is often dropped";
  EXPECT_EQ(romanUrduKey("shaikh"), romanUrduKey("shaik"));
  EXPECT_EQ(romanUrduKey("shehnaz"), romanUrduKey("shenaz")) << "a non-initial h is dropped";
  EXPECT_EQ(romanUrduKey("hamid"), "HMD") << "an initial h is kept";
  EXPECT_NE(romanUrduKey("hamid"), romanUrduKey("amid"));
  EXPECT_NE(romanUrduKey("ali"), romanUrduKey("alia") + "x");
  EXPECT_NE(romanUrduKey("zainab"), romanUrduKey("zubair"));
}

TEST(RomanUrduPhonetic, KeyShape) {
  EXPECT_EQ(romanUrduKey("muhammad"), "MMD");     // medial h dropped; m-h-m is not adjacent m-m
  EXPECT_EQ(romanUrduKey("imran"), "AMRN");       // initial vowel is A
  EXPECT_EQ(romanUrduKey("yasir"), "YSR");        // initial y is Y
  EXPECT_EQ(romanUrduKey("khan"), "KN");          // kh merges with k
  EXPECT_EQ(romanUrduKey("shah"), "S");           // sh, silent final h
  EXPECT_EQ(romanUrduKey("chand"), "CND");        // ch
  EXPECT_EQ(romanUrduKey("bhatti"), "BT");        // aspirate and doubled t
  EXPECT_EQ(romanUrduKey("ghazala"), "GZL");      // gh merges with g
  EXPECT_EQ(romanUrduKey("cecil"), "SSL");        // soft c
  EXPECT_EQ(romanUrduKey("xavier"), "KSVR");
  EXPECT_EQ(romanUrduKey(""), "");
  EXPECT_EQ(romanUrduKey("\u0639\u0644\u06CC"), "\u0639\u0644\u06CC");
}

TEST(RomanUrduPhonetic, NameKeys) {
  EXPECT_EQ(romanUrduNameKey("Haji M. Aslam"), romanUrduNameKey("Muhammad Aslam"));
  EXPECT_EQ(romanUrduNameKey("Syed Abdul Rehman Shah"), romanUrduNameKey("Abdur Rahman Shah"));
  EXPECT_EQ(romanUrduNameKey("Zainab Bibi w/o Muhammad Aslam"), "ZNB");
  EXPECT_EQ(romanUrduNameKey("Muhammad Aslam"), "MMD ASLM");
}

}  // namespace
}  // namespace nser::linkage
