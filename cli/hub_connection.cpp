#include "cli/hub_connection.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/URI.h>

#include <cstdlib>

namespace nser::cli {
namespace {

std::string optionOrEnvironment(const Arguments& parsed, const std::string& option, const char* variable) {
  if (parsed.has(option)) return parsed.required(option);
  if (const char* value = std::getenv(variable); value != nullptr && *value != '\0') return value;
  throw UsageError("--" + option + " is required (or set " + variable + ")");
}

}  // namespace

std::vector<OptionSpec> hubConnectionOptions() { return {{"hub"}, {"cert"}, {"key"}, {"ca"}}; }

std::unique_ptr<service::HttpsClient> connectToHub(const Arguments& parsed) {
  const std::string url = optionOrEnvironment(parsed, "hub", "NSER_HUB_URL");
  Poco::URI uri;
  try {
    uri = Poco::URI(url);
  } catch (const Poco::Exception&) {
    throw UsageError("--hub must be a URL like https://127.0.0.1:8443");
  }
  if (uri.getScheme() != "https" || uri.getHost().empty()) {
    throw UsageError("--hub must be an https:// URL with a host and port");
  }
  service::TlsFiles files;
  files.certificate = optionOrEnvironment(parsed, "cert", "NSER_CERT");
  files.privateKey = optionOrEnvironment(parsed, "key", "NSER_KEY");
  files.caCertificate = optionOrEnvironment(parsed, "ca", "NSER_CA");
  return std::make_unique<service::HttpsClient>(uri.getHost(), uri.getPort(), files);
}

std::string describeHubError(const service::HttpsResponse& response) {
  try {
    Poco::JSON::Parser parser;
    const auto body = parser.parse(response.body).extract<Poco::JSON::Object::Ptr>();
    if (auto error = body->getObject("error")) {
      return "hub answered " + std::to_string(response.status) + " " + error->optValue<std::string>("code", "") +
             ": " + error->optValue<std::string>("message", "");
    }
  } catch (const std::exception&) {
  }
  return "hub answered HTTP " + std::to_string(response.status);
}

}  // namespace nser::cli
