// Structured logging for the services (hub, connectors) and long-running
// commands, through POCO's logging framework.
//
// Two renderings of the same events:
//   - human: "2026-11-26 10:00:00.123 I hub.ingest batch applied records=500"
//     for a terminal;
//   - JSON lines: {"ts":"2026-11-26T10:00:00.123Z","level":"info",
//     "logger":"hub.ingest","msg":"batch applied","records":"500"}
//     for services under systemd or a log shipper.
// Both pass the message and every field through redactIdentifiers().
// Callers log pseudonymous ids, counts and reasons only: never an identifier,
// an attribute value or a secret.
#pragma once

#include <Poco/Logger.h>
#include <Poco/Message.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace nser::service {

enum class LogFormat { Human, JsonLines };

struct LoggingOptions {
  LogFormat format = LogFormat::Human;
  std::string level = "information";  // POCO priority name: trace ... fatal
  std::string file;                   // empty: standard error
};

// Human on a terminal, JSON lines otherwise.
LogFormat defaultLogFormat();

// Installs the root channel. Call once at process start; later calls replace it.
// Throws std::invalid_argument naming a bad level.
void configureLogging(const LoggingOptions& options);

struct LogField {
  std::string key;
  std::string value;
};

// Logs `text` with fields; the formatters render the fields as key=value or as
// JSON members.
void logEvent(Poco::Logger& logger, Poco::Message::Priority priority, std::string text,
              const std::vector<LogField>& fields = {});

// Rendering, exposed for tests and for tools that format records themselves.
std::string formatJsonLine(const Poco::Message& message);
std::string formatHumanLine(const Poco::Message& message);

}  // namespace nser::service
