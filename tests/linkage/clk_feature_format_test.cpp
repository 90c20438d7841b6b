#include "linkage/clk_feature_format.h"

#include <gtest/gtest.h>

namespace nser::linkage {
namespace {

ClkFeature feature(FeatureFormat format, std::optional<MissingValue> missing = std::nullopt) {
  ClkFeature f;
  f.identifier = "f";
  f.format = std::move(format);
  f.hashing.missingValue = std::move(missing);
  return f;
}

struct Outcome {
  bool ok;
  std::string text;
};

Outcome run(const ClkFeature& f, std::string_view raw) {
  const ClkFeatureFormatter formatter(f);
  std::string out;
  std::string reason;
  const bool ok = formatter.format(raw, out, reason);
  return {ok, ok ? out : reason};
}

TEST(ClkFeatureFormatter, StringCaseIsValidatedNotFolded) {
  FeatureFormat format;
  format.string.letterCase = LetterCase::Lower;
  const ClkFeature f = feature(format);
  EXPECT_TRUE(run(f, "ayesha").ok);
  EXPECT_FALSE(run(f, "Ayesha").ok);
  EXPECT_FALSE(run(f, "ayeshÉ").ok);  // non-ASCII upper case
  EXPECT_TRUE(run(f, "عائشہ 12").ok);  // caseless script
  format.string.letterCase = LetterCase::Upper;
  EXPECT_FALSE(run(feature(format), "KHAn").ok);
  EXPECT_EQ(run(feature(format), "KHAN").text, "KHAN");
}

TEST(ClkFeatureFormatter, LengthsCountCodePoints) {
  FeatureFormat format;
  format.string.minLength = 2;
  format.string.maxLength = 5;
  const ClkFeature f = feature(format);
  EXPECT_TRUE(run(f, "عائشہ").ok);  // 5 code points, 10 bytes
  EXPECT_FALSE(run(f, "a").ok);
  EXPECT_FALSE(run(f, "abcdef").ok);
}

TEST(ClkFeatureFormatter, PatternMustMatchTheWholeValue) {
  FeatureFormat format;
  format.string.pattern = "[0-9]{5}|[0-9]{5}-[0-9]{7}";
  const ClkFeature f = feature(format);
  EXPECT_TRUE(run(f, "54000").ok);
  EXPECT_TRUE(run(f, "35202-1234567").ok);  // second alternative: fullmatch semantics, not first-match
  EXPECT_FALSE(run(f, "54000x").ok);
  format.string.pattern = "\\d+";
  EXPECT_TRUE(run(feature(format), "۱۲۳").ok);  // Python's \d is Unicode-aware
  format.string.pattern = "(";
  EXPECT_THROW(ClkFeatureFormatter(feature(format)), std::invalid_argument);
}

TEST(ClkFeatureFormatter, AsciiEncodingRefusesOtherCharacters) {
  FeatureFormat format;
  format.string.encoding = TextEncoding::Ascii;
  EXPECT_FALSE(run(feature(format), "Ayeşa").ok);
  EXPECT_TRUE(run(feature(format), "Ayesa").ok);
}

TEST(ClkFeatureFormatter, IntegersAreNormalisedLikePythonStrInt) {
  FeatureFormat format;
  format.type = FormatType::Integer;
  format.integer.minimum = 0;
  format.integer.maximum = 130;
  const ClkFeature f = feature(format);
  EXPECT_EQ(run(f, "+042").text, "42");
  EXPECT_EQ(run(f, " 7 ").text, "7");
  EXPECT_FALSE(run(f, "131").ok);
  EXPECT_FALSE(run(f, "-1").ok);
  EXPECT_FALSE(run(f, "4.5").ok);
}

TEST(ClkFeatureFormatter, DatesBecomeYearMonthDay) {
  FeatureFormat format;
  format.type = FormatType::Date;
  format.date.format = "%d-%m-%Y";
  const ClkFeature f = feature(format);
  EXPECT_EQ(run(f, "14-08-1947").text, "19470814");
  EXPECT_FALSE(run(f, "30-02-1947").ok);
}

TEST(ClkFeatureFormatter, EnumIsExactAndCaseSensitive) {
  FeatureFormat format;
  format.type = FormatType::Enum;
  format.enumeration.values = {"M", "F"};
  const ClkFeature f = feature(format);
  EXPECT_TRUE(run(f, "F").ok);
  EXPECT_FALSE(run(f, "f").ok);
}

TEST(ClkFeatureFormatter, MissingValueSentinelSkipsValidation) {
  FeatureFormat format;
  format.type = FormatType::Integer;
  const ClkFeature replaced = feature(format, MissingValue{"N/A", ""});
  EXPECT_EQ(run(replaced, "N/A").text, "");
  EXPECT_FALSE(run(replaced, "n/a").ok);  // exact match only
  const ClkFeature kept = feature(format, MissingValue{"N/A", "N/A"});
  EXPECT_EQ(run(kept, "N/A").text, "N/A");
}

TEST(ClkFeatureFormatter, InvalidUtf8IsAValueNotACrash) {
  const ClkFeature f = feature(FeatureFormat{});
  const Outcome outcome = run(f, "\xC3\x28");
  EXPECT_FALSE(outcome.ok);
  EXPECT_NE(outcome.text.find("UTF-8"), std::string::npos);
}

}  // namespace
}  // namespace nser::linkage
