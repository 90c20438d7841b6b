// ClkTokenizer: expected tokens are clkhash's own documented examples
// (comparators.py docstrings) and values computed with Python as in
// tests/linkage/clkhash_reference_vectors.py `tokenize`.
#include "linkage/clk_tokenizer.h"

#include <gtest/gtest.h>

namespace nser::linkage {
namespace {

std::vector<std::string> tokens(const Comparison& comparison, std::string_view value,
                                TextEncoding encoding = TextEncoding::Utf8) {
  const ClkTokenizer tokenizer(comparison, encoding);
  TokenList list;
  std::string reason;
  EXPECT_TRUE(tokenizer.tokenize(value, list, reason)) << reason;
  std::vector<std::string> result;
  for (std::size_t i = 0; i < list.size(); ++i) result.emplace_back(list[i]);
  return result;
}

Comparison ngram(int n, bool positional = false) {
  Comparison c;
  c.type = ComparisonType::Ngram;
  c.n = n;
  c.positional = positional;
  return c;
}

Comparison numeric(double threshold, int resolution, int precision = 0) {
  Comparison c;
  c.type = ComparisonType::Numeric;
  c.thresholdDistance = threshold;
  c.resolution = resolution;
  c.fractionalPrecision = precision;
  return c;
}

TEST(ClkTokenizer, BigramsArePaddedWithOneSpaceEachSide) {
  EXPECT_EQ(tokens(ngram(2), "clkhash"),
            (std::vector<std::string>{" c", "cl", "lk", "kh", "ha", "as", "sh", "h "}));
}

TEST(ClkTokenizer, PositionalNgramsCarryTheirOneBasedPosition) {
  EXPECT_EQ(tokens(ngram(2, true), "clkhash"),
            (std::vector<std::string>{"1  c", "2 cl", "3 lk", "4 kh", "5 ha", "6 as", "7 sh", "8 h "}));
  EXPECT_EQ(tokens(ngram(1, true), "19850307").front(), "1 1");
}

TEST(ClkTokenizer, UnigramsAreNotPaddedAndTrigramsGetTwoSpaces) {
  EXPECT_EQ(tokens(ngram(1), "ali"), (std::vector<std::string>{"a", "l", "i"}));
  EXPECT_EQ(tokens(ngram(3), "al"), (std::vector<std::string>{"  a", " al", "al ", "l  "}));
}

TEST(ClkTokenizer, NgramsCountCodePointsNotBytesAndKeepDuplicates) {
  EXPECT_EQ(tokens(ngram(2), "عائشہ").size(), 6U);
  EXPECT_EQ(tokens(ngram(2), "عائشہ")[1], "عا");
  EXPECT_EQ(tokens(ngram(2), "nana"), (std::vector<std::string>{" n", "na", "an", "na", "a "}));
}

TEST(ClkTokenizer, EmptyValueHasNoTokens) {
  EXPECT_TRUE(tokens(ngram(2), "").empty());
  Comparison exact;
  exact.type = ComparisonType::Exact;
  EXPECT_TRUE(tokens(exact, "").empty());
  EXPECT_TRUE(tokens(numeric(5, 2), "").empty());
  EXPECT_EQ(tokens(exact, "Quetta Cantt"), (std::vector<std::string>{"Quetta Cantt"}));
}

TEST(ClkTokenizer, NumericFollowsClkhashsDocumentedExample) {
  // comparators.py: threshold 8, resolution 2: x=25 -> [88, 96, 104, 112, 120],
  // 24.99 is truncated to 24 -> neighbourhood 20..28 times 4.
  EXPECT_EQ(tokens(numeric(8, 2), "25"), (std::vector<std::string>{"88", "96", "104", "112", "120"}));
  EXPECT_EQ(tokens(numeric(8, 2), "24.99"), (std::vector<std::string>{"80", "88", "96", "104", "112"}));
  EXPECT_EQ(tokens(numeric(10, 1), "5"), (std::vector<std::string>{"0", "10", "20"}));
}

TEST(ClkTokenizer, NumericUsesFloorModuloAndHalfEvenRounding) {
  // Python: v = -3*4 = -12; -12 % 5 = 3 (floor) -> round up to -10.
  EXPECT_EQ(tokens(numeric(5, 2), "-3"), (std::vector<std::string>{"-20", "-15", "-10", "-5", "0"}));
  // fractional_precision 2: round(0.125 * 100) = 12 (half to even), d = 50.
  EXPECT_EQ(tokens(numeric(0.5, 1, 2), "0.125"), (std::vector<std::string>{"-50", "0", "50"}));
  // Python int() syntax is accepted before float().
  EXPECT_EQ(tokens(numeric(10, 1), " +1_0 "), (std::vector<std::string>{"10", "20", "30"}));
}

TEST(ClkTokenizer, NumericRejectsWhatPythonCannotConvert) {
  const ClkTokenizer tokenizer(numeric(5, 2), TextEncoding::Utf8);
  TokenList list;
  std::string reason;
  EXPECT_FALSE(tokenizer.tokenize("NA", list, reason));
  EXPECT_FALSE(tokenizer.tokenize("inf", list, reason));
  EXPECT_FALSE(tokenizer.tokenize("99999999999999999999", list, reason));
  EXPECT_THROW(ClkTokenizer(numeric(0.001, 1, 2), TextEncoding::Utf8), std::invalid_argument);
}

TEST(ClkTokenizer, TokensAreEncodedWithPythonsCodecIncludingTheBom) {
  // 'ab'.encode('utf-16') == b'\xff\xfea\x00b\x00'
  EXPECT_EQ(tokens(ngram(2), "a", TextEncoding::Utf16).front(), std::string("\xFF\xFE \0a\0", 6));
  EXPECT_EQ(tokens(ngram(1), "a", TextEncoding::Utf32).front(), std::string("\xFF\xFE\0\0a\0\0\0", 8));
  const ClkTokenizer ascii(ngram(2), TextEncoding::Ascii);
  TokenList list;
  std::string reason;
  EXPECT_FALSE(ascii.tokenize("é", list, reason));
}

}  // namespace
}  // namespace nser::linkage
