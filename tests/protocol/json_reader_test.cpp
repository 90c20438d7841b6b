#include "protocol/json_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "protocol/json_writer.h"

namespace nser::protocol {
namespace {

// The syntax error's message for `text` ("" when it parses).
std::string errorOf(std::string_view text, std::size_t maxDepth = JsonDocument::kDefaultMaxDepth) {
  try {
    JsonDocument::parse(text, maxDepth);
  } catch (const JsonSyntaxError& e) {
    return e.what();
  }
  return "";
}

std::string decoded(std::string_view literal) {
  const JsonDocument document = JsonDocument::parse(literal);
  EXPECT_TRUE(document.root().isString());
  return std::string(document.root().text());
}

TEST(JsonReader, ReadsNestedObjectsAndArrays) {
  const JsonDocument document =
      JsonDocument::parse(R"({"header": {"action": "search", "n": 2}, "list": [1, "two", true, false, null, {}], "e": []})");
  const JsonValue root = document.root();
  ASSERT_TRUE(root.isObject());
  EXPECT_EQ(root.size(), 3u);
  EXPECT_EQ(root.find("header").find("action").string(), "search");
  EXPECT_EQ(root.find("header").find("n").integer(), 2);
  const JsonValue list = root.find("list");
  ASSERT_TRUE(list.isArray());
  EXPECT_EQ(list.size(), 6u);
  std::vector<JsonKind> kinds;
  for (JsonValue element : list) kinds.push_back(element.kind());
  EXPECT_EQ(kinds, (std::vector<JsonKind>{JsonKind::Number, JsonKind::String, JsonKind::True, JsonKind::False,
                                          JsonKind::Null, JsonKind::Object}));
  EXPECT_EQ(root.find("e").size(), 0u);
  EXPECT_TRUE(root.find("e").begin() == root.find("e").end());
  std::vector<std::string> keys;
  for (JsonValue member : root) keys.emplace_back(member.key());
  EXPECT_EQ(keys, (std::vector<std::string>{"header", "list", "e"}));
}

TEST(JsonReader, MissingMembersAreAbsentNotNull) {
  const JsonDocument document = JsonDocument::parse(R"({"a": null})");
  EXPECT_TRUE(document.root().find("a").present());
  EXPECT_TRUE(document.root().find("a").isNull());
  EXPECT_FALSE(document.root().find("b").present());
  EXPECT_FALSE(document.root().find("b").isNull());
  EXPECT_FALSE(document.root().find("a").find("x").present());  // not an object
  EXPECT_EQ(document.root().find("b").describe(), "absent");
  EXPECT_EQ(document.root().find("b").string(), std::nullopt);
}

TEST(JsonReader, DuplicateKeysAnswerTheLastOne) {
  const JsonDocument document = JsonDocument::parse(R"({"k": 1, "k": 2, "j": 0})");
  EXPECT_EQ(document.root().find("k").integer(), 2);
  EXPECT_EQ(document.root().size(), 3u);
}

TEST(JsonReader, DecodesEveryEscape) {
  EXPECT_EQ(decoded(R"("a\"b\\c\/d\be\ff\ng\rh\ti")"), "a\"b\\c/d\be\ff\ng\rh\ti");
  EXPECT_EQ(decoded(R"("\u0041\u00e9\u20AC")"), "A\xC3\xA9\xE2\x82\xAC");
  EXPECT_EQ(decoded(R"("\u0000")"), std::string(1, '\0'));
  EXPECT_EQ(decoded(R"("")"), "");
}

TEST(JsonReader, DecodesSurrogatePairsToOneCodePoint) {
  EXPECT_EQ(decoded(R"("\ud83d\ude00")"), "\xF0\x9F\x98\x80");  // U+1F600
  EXPECT_EQ(decoded(R"("x\uD800\uDC00y")"), "x\xF0\x90\x80\x80y");  // U+10000
  EXPECT_EQ(decoded(R"("\uDBFF\uDFFF")"), "\xF4\x8F\xBF\xBF");  // U+10FFFF
}

TEST(JsonReader, RejectsLoneAndMisorderedSurrogates) {
  EXPECT_NE(errorOf(R"("\ud83d")").find("high surrogate"), std::string::npos);
  EXPECT_NE(errorOf(R"("\ud83dx")").find("high surrogate"), std::string::npos);
  EXPECT_NE(errorOf(R"("\ud83d\u0041")").find("high surrogate"), std::string::npos);
  EXPECT_NE(errorOf(R"("\ude00\ud83d")").find("lone low surrogate"), std::string::npos);
}

TEST(JsonReader, RejectsBadEscapes) {
  EXPECT_NE(errorOf(R"("\x41")").find("invalid escape"), std::string::npos);
  EXPECT_NE(errorOf(R"("\u00G1")").find("invalid hex digit"), std::string::npos);
  EXPECT_NE(errorOf(R"("\u00)").find("end of text"), std::string::npos);
  EXPECT_NE(errorOf("\"\\").find("unterminated string"), std::string::npos);
}

TEST(JsonReader, PassesValidUtf8AndRejectsInvalidUtf8) {
  EXPECT_EQ(decoded("\"\xD8\xB9\xD9\x84\xDB\x8C\""), "\xD8\xB9\xD9\x84\xDB\x8C");  // Urdu, two-byte sequences
  EXPECT_EQ(decoded("\"\xF0\x9F\x98\x80\""), "\xF0\x9F\x98\x80");
  for (const std::string bad : {"\"\xC3\"", "\"\xC0\xAF\"", "\"\xED\xA0\x80\"", "\"\xF4\x90\x80\x80\"", "\"\xFF\"",
                                "\"\x80\"", "\"\xE2\x82\""}) {
    EXPECT_NE(errorOf(bad).find("invalid UTF-8"), std::string::npos) << bad;
  }
  // Outside strings a byte >= 0x80 is not JSON at all.
  EXPECT_NE(errorOf("\xC3\xA9").find("unexpected character"), std::string::npos);
}

TEST(JsonReader, RejectsRawControlCharactersInStrings) {
  EXPECT_NE(errorOf("\"a\nb\"").find("control character"), std::string::npos);
  EXPECT_NE(errorOf(std::string("\"a\0b\"", 5)).find("control character"), std::string::npos);
  EXPECT_NE(errorOf("\"a\x1f\"").find("control character"), std::string::npos);
  EXPECT_EQ(decoded("\"a\x7f\""), "a\x7f");  // DEL is not a control character in JSON
}

TEST(JsonReader, ReadsNumbersAsRfc8259DefinesThem) {
  const JsonDocument document = JsonDocument::parse(
      R"([0, -0, 42, -17, 3.25, 1e3, 1E+2, 2.5e-1, 3.0, 9223372036854775807, -9223372036854775808, 9223372036854775808, 1.5])");
  std::vector<JsonValue> n(document.root().begin(), document.root().end());
  ASSERT_EQ(n.size(), 13u);
  EXPECT_EQ(n[0].integer(), 0);
  EXPECT_EQ(n[1].integer(), 0);
  EXPECT_EQ(n[2].integer(), 42);
  EXPECT_EQ(n[3].integer(), -17);
  EXPECT_EQ(n[4].integer(), std::nullopt);
  EXPECT_EQ(n[4].number(), 3.25);
  EXPECT_EQ(n[5].integer(), 1000);
  EXPECT_EQ(n[6].integer(), 100);
  EXPECT_EQ(n[7].number(), 0.25);
  EXPECT_EQ(n[8].integer(), 3);
  EXPECT_EQ(n[9].integer(), INT64_MAX);
  EXPECT_EQ(n[10].integer(), INT64_MIN);
  EXPECT_EQ(n[11].integer(), std::nullopt);  // out of range
  EXPECT_EQ(n[12].integer(), std::nullopt);
  EXPECT_EQ(n[4].text(), "3.25");
  EXPECT_EQ(n[1].describe(), "-0");
  EXPECT_EQ(JsonDocument::parse("1e400").root().number(), std::nullopt);  // not a finite double
  EXPECT_EQ(JsonDocument::parse("\"7\"").root().integer(), std::nullopt);  // a string is not a number
}

TEST(JsonReader, RejectsNumbersOutsideTheGrammar) {
  for (const char* bad : {"01", "-", "+1", "1.", ".5", "1e", "1e+", "0x10", "NaN", "Infinity", "-Infinity", "1.e3",
                          "- 1"}) {
    EXPECT_NE(errorOf(bad), "") << bad;
  }
}

TEST(JsonReader, AcceptsOnlyJsonWhitespace) {
  EXPECT_EQ(JsonDocument::parse(" \t\r\n{ \"a\" :\n[ 1 ,2 ] }\r\n ").root().find("a").size(), 2u);
  EXPECT_NE(errorOf("\v{}"), "");
  EXPECT_NE(errorOf("{}\f"), "");
  EXPECT_NE(errorOf("\xEF\xBB\xBF{}"), "");  // byte order mark
  EXPECT_NE(errorOf("{\xC2\xA0}"), "");      // no-break space
}

TEST(JsonReader, RejectsTruncatedText) {
  const std::string whole = R"({"a": [1, {"b": "c\u00e9"}, true], "d": null})";
  ASSERT_EQ(errorOf(whole), "");
  for (std::size_t length = 0; length < whole.size(); ++length) {
    EXPECT_NE(errorOf(whole.substr(0, length)), "") << whole.substr(0, length);
  }
}

TEST(JsonReader, RejectsStructuralMistakes) {
  for (const char* bad : {"", "   ", "{", "}", "[1,]", "[,1]", "{\"a\":1,}", "{\"a\" 1}", "{a:1}", "{'a':1}",
                          "[1 2]", "{\"a\":1 \"b\":2}", "tru", "nul", "True", "{} {}", "[]]", "// c\n{}", "{1:2}"}) {
    EXPECT_NE(errorOf(bad), "") << bad;
  }
}

TEST(JsonReader, ErrorsNameLineAndColumn) {
  EXPECT_EQ(errorOf("{\n  \"a\": tru\n}"), "invalid literal (expected true) at line 2, column 8");
  EXPECT_EQ(errorOf("[1,\n2,,3]"), "unexpected character (expected a value) at line 2, column 3");
  try {
    JsonDocument::parse("[1,,2]");
    FAIL();
  } catch (const JsonSyntaxError& e) {
    EXPECT_EQ(e.offset(), 3u);
  }
}

TEST(JsonReader, LimitsNestingDepth) {
  const std::string deep64 = std::string(64, '[') + std::string(64, ']');
  const std::string deep65 = std::string(65, '[') + std::string(65, ']');
  EXPECT_EQ(errorOf(deep64), "");
  EXPECT_NE(errorOf(deep65).find("nested deeper than 64 levels"), std::string::npos);
  EXPECT_NE(errorOf(R"({"a":{"b":{}}})", 2).find("nested deeper than 2"), std::string::npos);
  EXPECT_EQ(errorOf(R"({"a":{"b":1}})", 2), "");
  // Hostile depth is refused, not a stack overflow.
  EXPECT_NE(errorOf(std::string(1 << 20, '[')), "");
}

TEST(JsonReader, ReadsTopLevelScalars) {
  EXPECT_TRUE(JsonDocument::parse("null").root().isNull());
  EXPECT_TRUE(JsonDocument::parse(" true ").root().isTrue());
  EXPECT_TRUE(JsonDocument::parse("false").root().isBool());
  EXPECT_EQ(JsonDocument::parse("-12").root().integer(), -12);
}

TEST(JsonReader, DescribesValuesForErrorMessages) {
  const JsonDocument document = JsonDocument::parse(
      R"({"s": "short", "l": "0123456789012345678901234567890123456789xyz", "q": "a\"b", "o": {}, "a": [], "t": true})");
  const JsonValue root = document.root();
  EXPECT_EQ(root.find("s").describe(), "\"short\"");
  EXPECT_EQ(root.find("l").describe(), "\"0123456789012345678901234567890123456...\"");
  EXPECT_EQ(root.find("q").describe(), R"("a\"b")");
  EXPECT_EQ(root.find("o").describe(), "an object");
  EXPECT_EQ(root.find("a").describe(), "an array");
  EXPECT_EQ(root.find("t").describe(), "true");
}

TEST(JsonReader, ReadsBackWhatTheWriterWrites) {
  JsonWriter writer;
  const std::string awkward = std::string("q\"b\\s/\b\f\n\r\t\x01", 12) + "\xE2\x82\xAC\xF0\x9F\x98\x80";
  writer.beginObject().member(awkward, awkward).member("n", std::int64_t{-5}).member("d", 0.1).endObject();
  const JsonDocument document = JsonDocument::parse(writer.take());
  EXPECT_EQ(document.root().find(awkward).string(), awkward);
  EXPECT_EQ(document.root().find("n").integer(), -5);
  EXPECT_EQ(document.root().find("d").number(), 0.1);
}

TEST(JsonReader, DocumentsMoveWithTheirValues) {
  JsonDocument first = JsonDocument::parse(R"({"a": "b"})");
  JsonDocument second = std::move(first);
  EXPECT_EQ(second.root().find("a").string(), "b");
}

}  // namespace
}  // namespace nser::protocol
