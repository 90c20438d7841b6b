#include "linkage/cnic.h"

#include <gtest/gtest.h>

namespace nser::linkage {
namespace {

// Synthetic numbers only (not real people).
TEST(Cnic, CanonicalisesStandardLayout) {
  const CnicResult r = canonicaliseCnic("35202-1234568-1", Gender::male);
  EXPECT_EQ(r.digits, "3520212345681");
  EXPECT_EQ(r.flags, 0u);
  EXPECT_TRUE(r.wellFormed());
  EXPECT_TRUE(r.reason.empty());
  EXPECT_EQ(r.province, Province::punjab);
  EXPECT_EQ(r.genderFromDigit, Gender::male);
}

TEST(Cnic, StripsSpacesDashesDotsAndSpreadsheetApostrophe) {
  EXPECT_EQ(canonicaliseCnic("3520212345681").digits, "3520212345681");
  EXPECT_EQ(canonicaliseCnic("  35202 1234568 1 ").digits, "3520212345681");
  EXPECT_EQ(canonicaliseCnic("'3520212345681").digits, "3520212345681");
  EXPECT_EQ(canonicaliseCnic("35202\u20131234568\u20131").digits, "3520212345681");  // en dashes
  EXPECT_EQ(canonicaliseCnic("3520212345681").flags, 0u);
}

TEST(Cnic, ReadsUrduAndArabicIndicDigits) {
  // ۳۵۲۰۲-۱۲۳۴۵۶۸-۱ in Extended Arabic-Indic digits.
  const CnicResult urdu = canonicaliseCnic(
      "\u06F3\u06F5\u06F2\u06F0\u06F2-\u06F1\u06F2\u06F3\u06F4\u06F5\u06F6\u06F8-\u06F1");
  EXPECT_EQ(urdu.digits, "3520212345681");
  EXPECT_TRUE(urdu.wellFormed());
  const CnicResult arabic = canonicaliseCnic("\u0664\u0662\u0661\u0660\u0661\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668");
  EXPECT_EQ(arabic.digits, "4210112345678");
}

TEST(Cnic, MissingIsFlagged) {
  const CnicResult r = canonicaliseCnic("   ");
  EXPECT_EQ(r.flags, kCnicMissing);
  EXPECT_FALSE(r.wellFormed());
  EXPECT_FALSE(r.reason.empty());
}

TEST(Cnic, WrongLengthIsFlaggedNotPadded) {
  const CnicResult shortOne = canonicaliseCnic("35202-123456-1");
  EXPECT_TRUE(shortOne.flags & kCnicBadLength);
  EXPECT_EQ(shortOne.digits, "352021234561");
  EXPECT_FALSE(shortOne.wellFormed());
  EXPECT_EQ(shortOne.genderFromDigit, Gender::unknown);
  EXPECT_TRUE(canonicaliseCnic("35202123456812").flags & kCnicBadLength);
}

TEST(Cnic, NonDigitIsFlagged) {
  const CnicResult r = canonicaliseCnic("35202-12345O8-1");  // letter O
  EXPECT_TRUE(r.flags & kCnicNonDigit);
  EXPECT_FALSE(r.wellFormed());
  EXPECT_TRUE(canonicaliseCnic("3.52021E+12").flags & kCnicNonDigit);  // spreadsheet damage
}

TEST(Cnic, EveryProvinceDigit) {
  const Province expected[] = {Province::khyber_pakhtunkhwa, Province::fata, Province::punjab,
                               Province::sindh, Province::balochistan, Province::islamabad,
                               Province::gilgit_baltistan};
  for (int d = 1; d <= 7; ++d) {
    const std::string number = std::to_string(d) + "110112345671";
    const CnicResult r = canonicaliseCnic(number);
    EXPECT_EQ(r.province, expected[d - 1]) << d;
    EXPECT_FALSE(r.flags & kCnicUnknownProvince) << d;
  }
  for (char d : {'0', '8', '9'}) {
    const CnicResult r = canonicaliseCnic(std::string(1, d) + "110112345671");
    EXPECT_TRUE(r.flags & kCnicUnknownProvince) << d;
    EXPECT_EQ(r.province, Province::unknown);
    EXPECT_TRUE(r.wellFormed()) << "an unknown province is flagged, the number stays usable";
  }
  EXPECT_EQ(provinceName(Province::sindh), "sindh");
}

TEST(Cnic, GenderDigitAgainstStatedGender) {
  // Last digit odd = male, even = female.
  EXPECT_EQ(canonicaliseCnic("4210112345673", Gender::male).flags, 0u);
  EXPECT_EQ(canonicaliseCnic("4210112345674", Gender::female).flags, 0u);
  const CnicResult mismatch = canonicaliseCnic("4210112345674", Gender::male);
  EXPECT_EQ(mismatch.flags, kCnicGenderMismatch);
  EXPECT_EQ(mismatch.digits, "4210112345674") << "flagged, never fixed";
  EXPECT_EQ(mismatch.genderFromDigit, Gender::female);
  EXPECT_TRUE(mismatch.wellFormed());
  EXPECT_NE(mismatch.reason.find("gender"), std::string::npos);
  EXPECT_EQ(mismatch.reason.find("4210112345674"), std::string::npos) << "reason never holds the number";
  EXPECT_TRUE(canonicaliseCnic("4210112345673", Gender::female).flags & kCnicGenderMismatch);
  EXPECT_EQ(canonicaliseCnic("4210112345673", Gender::unknown).flags, 0u);
  EXPECT_EQ(canonicaliseCnic("4210112345673", Gender::other).flags, 0u);
}

TEST(Cnic, PlaceholdersAreFlagged) {
  EXPECT_TRUE(canonicaliseCnic("0000000000000").flags & kCnicPlaceholder);
  EXPECT_TRUE(canonicaliseCnic("1111111111111").flags & kCnicPlaceholder);
  EXPECT_TRUE(canonicaliseCnic("1234567890123").flags & kCnicPlaceholder);
  EXPECT_TRUE(canonicaliseCnic("9876543210987").flags & kCnicPlaceholder);
  EXPECT_FALSE(canonicaliseCnic("1111111111111").wellFormed());
}

TEST(Cnic, UnusualGroupingIsFlaggedButCanonicalised) {
  const CnicResult r = canonicaliseCnic("352-0212345-681");
  EXPECT_EQ(r.flags, kCnicUnusualGrouping);
  EXPECT_EQ(r.digits, "3520212345681");
  EXPECT_TRUE(r.wellFormed());
  EXPECT_EQ(canonicaliseCnic("35202 - 1234568 - 1").flags, 0u);
}

TEST(Cnic, BFormNumbersUseTheSameRules) {
  const CnicResult child = canonicaliseCnic("61101-7654322-2", Gender::female);
  EXPECT_EQ(child.flags, 0u);
  EXPECT_EQ(child.province, Province::islamabad);
}

TEST(Cnic, Format) {
  EXPECT_EQ(formatCnic("3520212345681"), "35202-1234568-1");
  EXPECT_EQ(formatCnic("123"), "123");
}

TEST(Cnic, DescribeFlagsNamesEveryFlag) {
  for (std::uint32_t bit = 1; bit <= kCnicUnusualGrouping; bit <<= 1) {
    EXPECT_FALSE(describeCnicFlags(bit).empty()) << bit;
  }
}

}  // namespace
}  // namespace nser::linkage
