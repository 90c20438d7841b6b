#include "connectors/hub_profile.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <sstream>

#include "service/https_client.h"

namespace nser::connectors {

void registerProfile(const ConnectorConfig& config, const ConnectorKeys& keys, const std::string& attributeEndpoint,
                     const std::vector<std::string>& attributes) {
  Poco::JSON::Object body;
  body.set("signing_key", pki::encodePublicKey(keys.signing.publicKey()));
  body.set("box_key", keys.box.publicKeyBase64());
  if (!attributeEndpoint.empty()) {
    body.set("attribute_endpoint", attributeEndpoint);
    Poco::JSON::Array::Ptr names = new Poco::JSON::Array;
    for (const auto& name : attributes) names->add(name);
    body.set("attributes", names);
  }
  std::ostringstream text;
  body.stringify(text);
  service::HttpsClient hub(config.hubHost, config.hubPort, config.tls);
  service::HttpsResponse response;
  try {
    response = hub.request("PUT", "/parties/self/profile", "application/json", text.str());
  } catch (const service::HttpsTransportError& e) {
    throw ProfileError(std::string("registering the connector's profile with the hub: ") + e.what());
  }
  if (response.status != 200) {
    throw ProfileError("registering the connector's profile with the hub: HTTP " + std::to_string(response.status) +
                       " " + response.body);
  }
}

pki::PublicKey fetchHubOrderKey(const ConnectorConfig& config) {
  service::HttpsClient hub(config.hubHost, config.hubPort, config.tls);
  service::HttpsResponse response;
  try {
    response = hub.get("/keys");
  } catch (const service::HttpsTransportError& e) {
    throw ProfileError(std::string("reading the hub's keys: ") + e.what());
  }
  if (response.status != 200) {
    throw ProfileError("reading the hub's keys: HTTP " + std::to_string(response.status) + " " + response.body);
  }
  Poco::JSON::Parser parser;
  const auto object = parser.parse(response.body).extract<Poco::JSON::Object::Ptr>();
  const std::string text = object->optValue<std::string>("fetch_order_key", "");
  const auto key = pki::decodePublicKey(text);
  if (!key) throw ProfileError("reading the hub's keys: no valid fetch_order_key in the answer");
  if (!config.hubOrderKey.empty() && config.hubOrderKey != text) {
    throw ProfileError("the hub's fetch-order key differs from hub.fetch_order_key pinned in " + config.source);
  }
  return *key;
}

}  // namespace nser::connectors
