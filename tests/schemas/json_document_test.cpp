#include "schemas/json_document.h"

#include <gtest/gtest.h>

namespace nser::schemas {
namespace {

std::string errorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const DocumentError& e) {
    return e.what();
  }
  return "(no error)";
}

const char* kConfig = R"({
  "listen": {"host": "127.0.0.1", "port": 8443},
  "limits": {"max_body_bytes": 1048576, "ratio": 0.5},
  "tls": {"enabled": true},
  "parties": [{"name": "punjab"}, {"name": 7}]
})";

TEST(JsonNode, ReadsTypedValuesByPath) {
  auto doc = JsonNode::parseText(kConfig, "hub.json");
  EXPECT_EQ(doc.field("listen").field("host").asString(), "127.0.0.1");
  EXPECT_EQ(doc.field("listen").field("port").asInt(1, 65535), 8443);
  EXPECT_DOUBLE_EQ(doc.field("limits").field("ratio").asNumber(0, 1), 0.5);
  EXPECT_TRUE(doc.field("tls").field("enabled").asBool());
  EXPECT_EQ(doc.field("limits").intOr("missing", 9, 0, 10), 9);
  EXPECT_EQ(doc.field("parties").asArray().size(), 2u);
  EXPECT_EQ(doc.field("parties").asArray()[0].path(), "parties[0]");
}

TEST(JsonNode, ErrorsNameDocumentPathAndProblem) {
  auto doc = JsonNode::parseText(kConfig, "hub.json");
  EXPECT_EQ(errorOf([&] { doc.field("tls").field("cert_file"); }), "hub.json: tls: missing required key 'cert_file'");
  EXPECT_EQ(errorOf([&] { doc.field("listen").field("port").asString(); }),
            "hub.json: listen.port: expected a string, got 8443");
  EXPECT_EQ(errorOf([&] { doc.field("listen").field("port").asInt(1, 1024); }),
            "hub.json: listen.port: must be between 1 and 1024, got 8443");
  EXPECT_EQ(errorOf([&] { doc.field("parties").asArray()[1].field("name").asString(); }),
            "hub.json: parties[1].name: expected a string, got 7");
  EXPECT_EQ(errorOf([&] { doc.field("listen").rejectUnknownKeys({"host"}); }),
            "hub.json: listen: unknown key 'port' (known: host)");
  EXPECT_EQ(errorOf([&] { doc.field("listen").field("host").asEnum({"0.0.0.0", "::"}); }),
            "hub.json: listen.host: unknown value \"127.0.0.1\" (expected one of: 0.0.0.0, ::)");
  EXPECT_EQ(errorOf([&] { doc.field("listen").asArray(); }), "hub.json: listen: expected an array, got an object");
}

TEST(JsonNode, SyntaxErrorsNameTheSource) {
  std::string message = errorOf([] { JsonNode::parseText("{\"a\": }", "request body"); });
  EXPECT_EQ(message.rfind("request body: invalid JSON", 0), 0u) << message;
  EXPECT_EQ(errorOf([] { JsonNode::parseFile("/nonexistent/hub.json"); }), "/nonexistent/hub.json: cannot open file");
}

TEST(JsonNode, IntegersWrittenAsWholeDoublesAreAccepted) {
  auto doc = JsonNode::parseText(R"({"a": 3.0, "b": 3.5, "c": "3"})", "x");
  EXPECT_EQ(doc.field("a").asInt(), 3);
  EXPECT_THROW(doc.field("b").asInt(), DocumentError);
  EXPECT_THROW(doc.field("c").asInt(), DocumentError);
  EXPECT_THROW(doc.field("c").asNumber(0, 10), DocumentError);
}

}  // namespace
}  // namespace nser::schemas
