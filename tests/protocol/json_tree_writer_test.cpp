#include "protocol/json_tree_writer.h"

#include <gtest/gtest.h>

#include <Poco/JSON/Parser.h>

#include <sstream>
#include <string>

namespace nser::protocol {
namespace {

Poco::Dynamic::Var parse(const std::string& text) {
  Poco::JSON::Parser parser;
  return parser.parse(text);
}

std::string pocoText(const Poco::Dynamic::Var& value) {
  std::ostringstream out;
  value.extract<Poco::JSON::Object::Ptr>()->stringify(out);
  return out.str();
}

std::string treeText(const Poco::Dynamic::Var& value) {
  JsonWriter json;
  writeJsonTree(json, value);
  return json.take();
}

TEST(JsonTreeWriter, WritesWhatPocoWritesForAParsedDocument) {
  const std::string document = R"({"header": {"action": "on-search", "total_count": 2, "version": "1.0.0"},
    "message": {"search_response": [{"data": {"reg_records": [{"entity_id": "42", "match_probability": 0.75,
    "custodians": ["nser", "punjab"], "record_count": 2, "big": 18446744073709551615, "neg": -9007199254740993}]},
    "status": "succ", "flags": [true, false, null], "empty": {}, "none": []}]}, "signature": ""})";
  const auto value = parse(document);
  EXPECT_EQ(treeText(value), pocoText(value));
}

TEST(JsonTreeWriter, EscapesStringsAndReadsBackTheSameValues) {
  const std::string document = R"({"q\"k": "a\"b\\c\n\t\u0001 \u00e9 \u0645 /slash", "n": [1.5e300, -0.0]})";
  const auto value = parse(document);
  const std::string written = treeText(value);
  const auto back = parse(written).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(back->getValue<std::string>("q\"k"), "a\"b\\c\n\t\x01 \xc3\xa9 \xd9\x85 /slash");
  EXPECT_EQ(back->getArray("n")->getElement<double>(0), 1.5e300);
  EXPECT_EQ(pocoText(parse(written)), pocoText(value));
}

TEST(JsonTreeWriter, WritesValuesSetInCode) {
  Poco::JSON::Object::Ptr object = new Poco::JSON::Object;
  object->set("count", std::size_t{3});
  object->set("small", 7);
  object->set("ok", true);
  object->set("name", std::string("x"));
  object->set("nothing", Poco::Dynamic::Var());
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
  list->add(std::int64_t{-5});
  list->add(2.5);
  object->set("list", list);
  JsonWriter json;
  writeJsonTree(json, *object);
  EXPECT_EQ(json.take(), R"({"count":3,"list":[-5,2.5],"name":"x","nothing":null,"ok":true,"small":7})");
}

}  // namespace
}  // namespace nser::protocol
