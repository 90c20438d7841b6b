#include "protocol/json_tree_writer.h"

#include <gtest/gtest.h>

#include <string>

namespace nser::protocol {
namespace {

std::string relayed(const std::string& document) {
  const JsonDocument read = JsonDocument::parse(document);
  JsonWriter json;
  writeJsonTree(json, read.root());
  return json.take();
}

TEST(JsonTreeWriter, RelaysAReadDocumentMemberByMember) {
  // What the Poco tree the gateway used to relay wrote for the same document
  // (members already in bytewise order, as the hub writes them), except that
  // '/' is no longer escaped.
  const std::string document = R"({"data": {"attributes": {"decisions": [{"attribute": "pmt_score",
    "decision": "permit", "delivered": true}], "sealed": []}, "reg_records": [{"custodians": ["nser"],
    "entity_id": "42", "match_probability": 0.75, "record_count": 2}]}, "flags": [true, false, null],
    "n": -17, "q": "a\"b\\c\n\u0001 \u00e9 \ud83d\ude00 \/", "status": "succ", "z": {}})";
  EXPECT_EQ(relayed(document),
            "{\"data\":{\"attributes\":{\"decisions\":[{\"attribute\":\"pmt_score\",\"decision\":\"permit\","
            "\"delivered\":true}],\"sealed\":[]},\"reg_records\":[{\"custodians\":[\"nser\"],\"entity_id\":\"42\","
            "\"match_probability\":0.75,\"record_count\":2}]},\"flags\":[true,false,null],\"n\":-17,"
            "\"q\":\"a\\\"b\\\\c\\n\\u0001 \xc3\xa9 \xf0\x9f\x98\x80 /\",\"status\":\"succ\",\"z\":{}}");
}

TEST(JsonTreeWriter, RelaysNumbersAsTheirText) {
  EXPECT_EQ(relayed(R"([1.5e300, -0.0, 12345678901234567890, 0.1])"), "[1.5e300,-0.0,12345678901234567890,0.1]");
}

TEST(JsonTreeWriter, EscapesStringsAndReadsBackTheSameValues) {
  const std::string document = R"({"q\"k": "a\"b\\c\n\t\u0001 \u00e9 \u0645 /slash", "n": [1.5e300, -0.0]})";
  const std::string written = relayed(document);
  const JsonDocument back = JsonDocument::parse(written);
  EXPECT_EQ(back.root().find("q\"k").text(), "a\"b\\c\n\t\x01 \xc3\xa9 \xd9\x85 /slash");
  EXPECT_EQ((*back.root().find("n").begin()).text(), "1.5e300");
  EXPECT_EQ(relayed(written), written);
}

}  // namespace
}  // namespace nser::protocol
