#include "linkage/utf8_codec.h"

#include <gtest/gtest.h>

namespace nser::linkage {
namespace {

TEST(Utf8Codec, DecodesAndRejectsMalformedSequences) {
  EXPECT_TRUE(utf8::isValidUtf8("Muḥammad عائشہ 😀"));
  EXPECT_FALSE(utf8::isValidUtf8("\xC0\xAF"));          // overlong '/'
  EXPECT_FALSE(utf8::isValidUtf8("\xED\xA0\x80"));      // surrogate U+D800
  EXPECT_FALSE(utf8::isValidUtf8("\xF4\x90\x80\x80"));  // above U+10FFFF
  EXPECT_FALSE(utf8::isValidUtf8("\xE2\x82"));          // truncated
  std::size_t pos = 0;
  EXPECT_EQ(utf8::decodeNext("€", pos), U'\u20AC');
  EXPECT_EQ(pos, 3U);
  EXPECT_EQ(utf8::codePointCount("عائشہ"), 5U);
}

TEST(Utf8Codec, EncodesLikePythonCodecs) {
  std::string out;
  utf8::appendUtf16Le(out, U'\U0001F600');  // '😀'.encode('utf-16-le') == b'=\xd8\x00\xde'
  EXPECT_EQ(out, std::string("\x3D\xD8\x00\xDE", 4));
  out.clear();
  utf8::appendUtf32Le(out, U'\u00E9');
  EXPECT_EQ(out, std::string("\xE9\0\0\0", 4));
  out.clear();
  utf8::appendUtf8(out, U'\u06F1');
  EXPECT_EQ(out, "۱");
}

TEST(Utf8Codec, DigitsAndWhitespaceFollowPython) {
  EXPECT_EQ(utf8::decimalDigitValue(U'7'), 7);
  EXPECT_EQ(utf8::decimalDigitValue(U'\u06F9'), 9);   // Extended Arabic-Indic nine
  EXPECT_EQ(utf8::decimalDigitValue(U'\u0669'), 9);   // Arabic-Indic nine
  EXPECT_EQ(utf8::decimalDigitValue(U'\U0001D7FF'), 9);  // last mathematical digit
  EXPECT_EQ(utf8::decimalDigitValue(U'a'), -1);
  EXPECT_EQ(utf8::decimalDigitValue(U'\u00B2'), -1);  // superscript two: not Nd, int() refuses it
  EXPECT_TRUE(utf8::isPythonWhitespace(U'\u3000'));
  EXPECT_TRUE(utf8::isPythonWhitespace(U'\x1c'));
  EXPECT_FALSE(utf8::isPythonWhitespace(U'\u200B'));  // zero-width space is not isspace()
}

}  // namespace
}  // namespace nser::linkage
