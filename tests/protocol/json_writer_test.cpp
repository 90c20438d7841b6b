#include "protocol/json_writer.h"

#include <gtest/gtest.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>

namespace nser::protocol {
namespace {

std::string jsonLiteral(std::string_view text) {
  std::string out;
  appendJsonString(out, text);
  return out;
}

// What a standard parser reads back from a string literal we wrote.
std::string roundTrip(const std::string& text) {
  JsonWriter writer;
  writer.beginObject().member("s", text).endObject();
  Poco::JSON::Parser parser;
  return parser.parse(writer.take()).extract<Poco::JSON::Object::Ptr>()->getValue<std::string>("s");
}

TEST(JsonWriter, WritesNestedStructureWithCommasAndColons) {
  JsonWriter writer;
  writer.beginObject()
      .member("a", 1)
      .key("list")
      .beginArray()
      .value("x")
      .value(true)
      .null()
      .beginObject()
      .endObject()
      .beginArray()
      .endArray()
      .endArray()
      .member("b", false)
      .endObject();
  EXPECT_EQ(writer.take(), R"({"a":1,"list":["x",true,null,{},[]],"b":false})");
}

TEST(JsonWriter, EscapesQuotesAndBackslashes) {
  EXPECT_EQ(jsonLiteral(R"(say "hi" \ bye)"), R"("say \"hi\" \\ bye")");
  EXPECT_EQ(roundTrip(R"(a"b\c)"), R"(a"b\c)");
}

TEST(JsonWriter, EscapesEveryControlCharacter) {
  EXPECT_EQ(jsonLiteral("\b\f\n\r\t"), R"("\b\f\n\r\t")");
  EXPECT_EQ(jsonLiteral(std::string("\0\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
  std::string all;
  for (int c = 0; c < 0x20; ++c) all.push_back(static_cast<char>(c));
  const std::string written = jsonLiteral(all);
  for (char c : written) EXPECT_GE(static_cast<unsigned char>(c), 0x20) << "a raw control character was written";
  EXPECT_EQ(roundTrip(all), all);
  // DEL and '/' are legal as they are.
  EXPECT_EQ(jsonLiteral("\x7f/"), "\"\x7f/\"");
}

TEST(JsonWriter, PassesValidUtf8Through) {
  const std::string urdu = "\xd9\x85\xd8\xad\xd9\x85\xd8\xaf";    // Arabic-script letters (2 bytes each)
  const std::string rupee = "\xe2\x82\xa8";                       // U+20A8 (3 bytes)
  const std::string emoji = "\xf0\x9f\x98\x80";                   // U+1F600 (4 bytes)
  const std::string text = "name: " + urdu + " " + rupee + emoji;
  EXPECT_EQ(jsonLiteral(text), "\"" + text + "\"");
  EXPECT_EQ(roundTrip(text), text);
}

TEST(JsonWriter, ReplacesInvalidUtf8WithTheReplacementCharacter) {
  const std::string replacement = "\xef\xbf\xbd";
  EXPECT_EQ(jsonLiteral("a\xff" "b"), "\"a" + replacement + "b\"");               // never a UTF-8 byte
  EXPECT_EQ(jsonLiteral("\xc3"), "\"" + replacement + "\"");                     // truncated sequence
  EXPECT_EQ(jsonLiteral("\xc0\xaf"), "\"" + replacement + replacement + "\"");   // overlong '/'
  EXPECT_EQ(jsonLiteral("\xed\xa0\x80"), "\"" + replacement + replacement + replacement + "\"");  // a surrogate
  EXPECT_EQ(jsonLiteral("\xf4\x90\x80\x80"),
            "\"" + replacement + replacement + replacement + replacement + "\"");  // above U+10FFFF
  EXPECT_EQ(jsonLiteral("\x80"), "\"" + replacement + "\"");                     // a lone continuation byte
  // What follows an invalid byte is written normally.
  EXPECT_EQ(jsonLiteral("\xe2\x82" "\"x"), "\"" + replacement + replacement + "\\\"x\"");
  EXPECT_NO_THROW(roundTrip("bad \xfe\xff bytes"));
}

TEST(JsonWriter, EscapesKeysLikeValues) {
  JsonWriter writer;
  writer.beginObject().member("k\"\n", "v").endObject();
  EXPECT_EQ(writer.take(), R"({"k\"\n":"v"})");
}

TEST(JsonWriter, WritesNumbersExactly) {
  JsonWriter writer;
  writer.beginArray()
      .value(std::numeric_limits<std::int64_t>::min())
      .value(std::numeric_limits<std::uint64_t>::max())
      .value(0)
      .value(0.1)
      .value(1.0)
      .value(-2.5e-300)
      .value(std::numeric_limits<double>::quiet_NaN())
      .value(std::numeric_limits<double>::infinity())
      .endArray();
  EXPECT_EQ(writer.take(), "[-9223372036854775808,18446744073709551615,0,0.1,1,-2.5e-300,null,null]");
}

TEST(JsonWriter, DoublesReadBackToTheSameValue) {
  for (double x : {0.987654321012345, 1.0 / 3.0, 6.02214076e23, 5e-324}) {
    JsonWriter writer;
    writer.beginObject().member("x", x).endObject();
    Poco::JSON::Parser parser;
    EXPECT_EQ(parser.parse(writer.take()).extract<Poco::JSON::Object::Ptr>()->getValue<double>("x"), x);
  }
}

TEST(JsonWriter, RawValuesAreEmbeddedVerbatim) {
  JsonWriter writer;
  writer.beginObject().key("doc").rawValue(R"({"z":[1,2]})").member("n", 3).endObject();
  EXPECT_EQ(writer.take(), R"({"doc":{"z":[1,2]},"n":3})");
}

TEST(JsonWriter, RejectsStructuralMisuse) {
  {
    JsonWriter writer;
    writer.beginObject();
    EXPECT_THROW(writer.value("no key"), std::logic_error);
  }
  {
    JsonWriter writer;
    writer.beginArray();
    EXPECT_THROW(writer.key("k"), std::logic_error);
    EXPECT_THROW(writer.endObject(), std::logic_error);
    EXPECT_THROW(writer.take(), std::logic_error);
  }
  {
    JsonWriter writer;
    writer.beginObject().key("k");
    EXPECT_THROW(writer.key("again"), std::logic_error);
    EXPECT_THROW(writer.endObject(), std::logic_error);
  }
  {
    JsonWriter writer;
    writer.value(1);
    EXPECT_THROW(writer.value(2), std::logic_error);
    EXPECT_EQ(writer.take(), "1");
  }
}

TEST(JsonWriter, IsReusableAfterTake) {
  JsonWriter writer;
  writer.beginArray().value(1).endArray();
  EXPECT_EQ(writer.take(), "[1]");
  writer.beginObject().member("a", "b").endObject();
  EXPECT_EQ(writer.take(), R"({"a":"b"})");
}

}  // namespace
}  // namespace nser::protocol
