#include "linkage/text_folding.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nser::linkage {
namespace {

TEST(TextFolding, LowercasesAsciiAndCollapsesWhitespace) {
  EXPECT_EQ(foldText("  MUHAMMAD\t\tAslam  "), "muhammad aslam");
  EXPECT_EQ(foldText(""), "");
  EXPECT_EQ(foldText("   "), "");
}

TEST(TextFolding, PunctuationSeparatesTokens) {
  EXPECT_EQ(foldText("Abd-ul-Rehman"), "abd ul rehman");
  EXPECT_EQ(foldText("S/O Ch. Fazal_Din,"), "s o ch fazal din");
  EXPECT_EQ(foldText("(Zainab)"), "zainab");
}

TEST(TextFolding, ApostrophesAreRemovedWithoutSplitting) {
  EXPECT_EQ(foldText("Ma'ruf"), "maruf");
  EXPECT_EQ(foldText("Ma\u2019ruf"), "maruf");
  EXPECT_EQ(foldText("Ma\u02BFruf"), "maruf");  // transliteration ayn
}

TEST(TextFolding, DiacriticsFoldToAscii) {
  std::string out;
  const std::uint32_t flags = foldText("Jos\u00E9 N\u00FA\u00F1ez", out);
  EXPECT_EQ(out, "jose nunez");
  EXPECT_TRUE(flags & kFoldDiacriticsRemoved);
  EXPECT_EQ(foldText("\u1E24asan \u1E62\u0101hib"), "hasan sahib");  // Ḥasan Ṣāhib
  EXPECT_EQ(foldText("\u00C6sir Stra\u00DFe \u0141ukasz"), "aesir strasse lukasz");
}

TEST(TextFolding, ArabicScriptPassesThroughWithoutHarakat) {
  std::string out;
  // محمّد with a shadda (U+0651) and a tatweel (U+0640).
  const std::uint32_t flags = foldText("\u0645\u062D\u0645\u0651\u0640\u062F", out);
  EXPECT_EQ(out, "\u0645\u062D\u0645\u062F");
  EXPECT_TRUE(flags & kFoldNonLatinScript);
  // Arabic comma separates; ZWNJ is removed.
  EXPECT_EQ(foldText("\u0639\u0644\u06CC\u060C\u200C\u0627\u062D\u0645\u062F"),
            "\u0639\u0644\u06CC \u0627\u062D\u0645\u062F");
}

TEST(TextFolding, GreekAndCyrillicAreLowercased) {
  EXPECT_EQ(foldText("\u0391\u0392"), "\u03B1\u03B2");
  EXPECT_EQ(foldText("\u0418\u0412\u0410\u041D \u0401"), "\u0438\u0432\u0430\u043D \u0451");
}

TEST(TextFolding, InvalidUtf8BecomesSeparatorAndIsFlagged) {
  const std::vector<std::string> bad = {
      std::string("ali\xFFraza"),        // invalid lead byte
      std::string("ali\xC3"),            // truncated at the end
      std::string("ali\xC3(raza"),       // continuation missing
      std::string("ali\xC0\xAFraza"),    // overlong "/"
      std::string("ali\xED\xA0\x80raza"),  // UTF-16 surrogate
      std::string("ali\xF4\x90\x80\x80raza"),  // above U+10FFFF
      std::string("ali\x80raza"),        // stray continuation byte
  };
  for (const std::string& input : bad) {
    std::string out;
    const std::uint32_t flags = foldText(input, out);
    EXPECT_TRUE(flags & kFoldInvalidUtf8) << out;
    EXPECT_EQ(out.substr(0, 3), "ali");
    for (unsigned char c : out) EXPECT_LT(c, 0x80) << "invalid bytes must not be copied";
  }
  EXPECT_EQ(foldText(std::string("ali\xFFraza")), "ali raza");
}

TEST(TextFolding, UnicodeSpacesAndDashesSeparate) {
  EXPECT_EQ(foldText("Ali\u00A0Raza\u2013Khan\u3000Shah"), "ali raza khan shah");
}

TEST(TextFolding, DigitsAreKeptAndFlagged) {
  std::string out;
  EXPECT_TRUE(foldText("Ali 2", out) & kFoldHadDigits);
  EXPECT_EQ(out, "ali 2");
}

TEST(TextFolding, SplitFoldedTokens) {
  std::vector<std::string_view> tokens;
  splitFoldedTokens("zainab bibi", [&](std::string_view t) { tokens.push_back(t); });
  ASSERT_EQ(tokens.size(), 2u);
  EXPECT_EQ(tokens[0], "zainab");
  EXPECT_EQ(tokens[1], "bibi");
}

TEST(TextFolding, DescribeFlags) {
  EXPECT_EQ(describeFoldFlags(0), "");
  EXPECT_NE(describeFoldFlags(kFoldInvalidUtf8).find("invalid UTF-8"), std::string::npos);
}

}  // namespace
}  // namespace nser::linkage
