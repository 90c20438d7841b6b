#include "service/logging.h"

#include <Poco/AutoPtr.h>
#include <Poco/ConsoleChannel.h>
#include <Poco/DateTimeFormat.h>
#include <Poco/DateTimeFormatter.h>
#include <Poco/FileChannel.h>
#include <Poco/Formatter.h>
#include <Poco/FormattingChannel.h>
#include <Poco/UTF8String.h>
#include <unistd.h>

#include <cctype>
#include <iostream>
#include <stdexcept>

#include "service/log_redaction.h"

namespace nser::service {

namespace {

// Fields travel inside the Poco::Message as one parameter, encoded as
// alternating key/value lines, because Poco 1.11 cannot enumerate parameters.
constexpr const char* kFieldsParam = "nser.fields";

std::vector<LogField> decodeFields(const Poco::Message& message) {
  std::vector<LogField> fields;
  if (!message.has(kFieldsParam)) return fields;
  const std::string& encoded = message.get(kFieldsParam);
  std::size_t pos = 0;
  while (pos < encoded.size()) {
    std::size_t keyEnd = encoded.find('\n', pos);
    std::size_t valueEnd = encoded.find('\n', keyEnd + 1);
    if (keyEnd == std::string::npos || valueEnd == std::string::npos) break;
    fields.push_back({encoded.substr(pos, keyEnd - pos), encoded.substr(keyEnd + 1, valueEnd - keyEnd - 1)});
    pos = valueEnd + 1;
  }
  return fields;
}

std::string sanitiseFieldPart(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

const char* levelName(Poco::Message::Priority priority) {
  switch (priority) {
    case Poco::Message::PRIO_FATAL: return "fatal";
    case Poco::Message::PRIO_CRITICAL: return "critical";
    case Poco::Message::PRIO_ERROR: return "error";
    case Poco::Message::PRIO_WARNING: return "warning";
    case Poco::Message::PRIO_NOTICE: return "notice";
    case Poco::Message::PRIO_INFORMATION: return "info";
    case Poco::Message::PRIO_DEBUG: return "debug";
    case Poco::Message::PRIO_TRACE: return "trace";
  }
  return "info";
}

std::string jsonString(const std::string& text) { return "\"" + Poco::UTF8::escape(text, true) + "\""; }

class JsonLinesFormatter : public Poco::Formatter {
 public:
  void format(const Poco::Message& message, std::string& text) override { text = formatJsonLine(message); }
};

class HumanFormatter : public Poco::Formatter {
 public:
  void format(const Poco::Message& message, std::string& text) override { text = formatHumanLine(message); }
};

}  // namespace

std::string formatJsonLine(const Poco::Message& message) {
  std::string line = "{\"ts\":" +
                     jsonString(Poco::DateTimeFormatter::format(message.getTime(), "%Y-%m-%dT%H:%M:%S.%iZ")) +
                     ",\"level\":\"" + levelName(message.getPriority()) + "\",\"logger\":" +
                     jsonString(message.getSource()) + ",\"msg\":" + jsonString(redactIdentifiers(message.getText()));
  for (const auto& field : decodeFields(message)) {
    line += "," + jsonString(field.key) + ":" + jsonString(redactIdentifiers(field.value));
  }
  line += "}";
  return line;
}

std::string formatHumanLine(const Poco::Message& message) {
  std::string line = Poco::DateTimeFormatter::format(message.getTime(), "%Y-%m-%d %H:%M:%S.%i") + " " +
                     static_cast<char>(std::toupper(levelName(message.getPriority())[0])) + " " +
                     message.getSource() + " " + redactIdentifiers(message.getText());
  for (const auto& field : decodeFields(message)) {
    line += " " + field.key + "=" + redactIdentifiers(field.value);
  }
  return line;
}

LogFormat defaultLogFormat() { return isatty(STDERR_FILENO) ? LogFormat::Human : LogFormat::JsonLines; }

void configureLogging(const LoggingOptions& options) {
  int priority = 0;
  try {
    priority = Poco::Logger::parseLevel(options.level);
  } catch (const Poco::Exception&) {
    throw std::invalid_argument("unknown log level '" + options.level +
                                "' (expected one of: trace, debug, information, notice, warning, error, "
                                "critical, fatal, none)");
  }
  Poco::AutoPtr<Poco::Channel> sink;
  if (options.file.empty()) {
    sink = new Poco::ConsoleChannel(std::cerr);
  } else {
    auto* file = new Poco::FileChannel(options.file);
    file->setProperty("rotation", "100 M");
    file->setProperty("archive", "timestamp");
    file->setProperty("purgeCount", "10");
    file->setProperty("flush", "true");
    sink = file;
  }
  Poco::AutoPtr<Poco::Formatter> formatter;
  if (options.format == LogFormat::JsonLines) {
    formatter = new JsonLinesFormatter;
  } else {
    formatter = new HumanFormatter;
  }
  Poco::AutoPtr<Poco::FormattingChannel> channel(new Poco::FormattingChannel(formatter, sink));
  Poco::Logger::root().setChannel(channel);
  Poco::Logger::setLevel("", priority);
}

void logEvent(Poco::Logger& logger, Poco::Message::Priority priority, std::string text,
              const std::vector<LogField>& fields) {
  if (!logger.is(priority)) return;
  Poco::Message message(logger.name(), std::move(text), priority);
  if (!fields.empty()) {
    std::string encoded;
    for (const auto& field : fields) {
      encoded += sanitiseFieldPart(field.key) + "\n" + sanitiseFieldPart(field.value) + "\n";
    }
    message.set(kFieldsParam, encoded);
  }
  logger.log(message);
}

}  // namespace nser::service
