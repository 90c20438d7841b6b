#include "service/logging.h"

#include <Poco/JSON/Parser.h>
#include <Poco/Logger.h>
#include <gtest/gtest.h>

namespace nser::service {
namespace {

Poco::Message sample(std::string text) {
  Poco::Message message("hub.ingest", std::move(text), Poco::Message::PRIO_WARNING);
  return message;
}

TEST(Logging, JsonLinesAreValidJsonWithStandardMembers) {
  std::string line = formatJsonLine(sample("batch \"7\" rejected"));
  Poco::JSON::Parser parser;
  auto obj = parser.parse(line).extract<Poco::JSON::Object::Ptr>();
  EXPECT_EQ(obj->getValue<std::string>("level"), "warning");
  EXPECT_EQ(obj->getValue<std::string>("logger"), "hub.ingest");
  EXPECT_EQ(obj->getValue<std::string>("msg"), "batch \"7\" rejected");
  EXPECT_EQ(obj->getValue<std::string>("ts").back(), 'Z');
  EXPECT_EQ(line.find('\n'), std::string::npos) << "one line per event";
}

TEST(Logging, FieldsRenderInBothFormatsAndAreRedacted) {
  // Route one event through logEvent and capture it with a test channel.
  class Capture : public Poco::Channel {
   public:
    void log(const Poco::Message& msg) override { last = msg; }
    Poco::Message last;
  };
  Poco::AutoPtr<Capture> capture(new Capture);
  Poco::Logger& logger = Poco::Logger::get("test.fields");
  logger.setChannel(capture);
  logger.setLevel(Poco::Message::PRIO_INFORMATION);
  logEvent(logger, Poco::Message::PRIO_INFORMATION, "quarantined", {{"line", "17"}, {"value", "35202-1234567-1"}});

  std::string json = formatJsonLine(capture->last);
  EXPECT_NE(json.find("\"line\":\"17\""), std::string::npos) << json;
  EXPECT_NE(json.find("\"value\":\"[redacted]\""), std::string::npos) << json;
  EXPECT_EQ(json.find("1234567"), std::string::npos);
  std::string human = formatHumanLine(capture->last);
  EXPECT_NE(human.find(" I test.fields quarantined line=17 value=[redacted]"), std::string::npos) << human;

  logEvent(logger, Poco::Message::PRIO_DEBUG, "below level", {});
  EXPECT_EQ(capture->last.getText(), "quarantined") << "events below the level are not formatted";
}

TEST(Logging, RejectsUnknownLevels) {
  EXPECT_THROW(configureLogging({LogFormat::JsonLines, "chatty", ""}), std::invalid_argument);
}

}  // namespace
}  // namespace nser::service
