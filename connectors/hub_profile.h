// HubProfile: what a running connector tells the hub about itself and learns
// from it, over its mutual-TLS identity (docs/brokering.md):
//
//   PUT /parties/self/profile  its consent-signing and box public keys, the
//                              address of its attribute server and the names
//                              of the attributes it serves (its mapping's
//                              catalogue)
//   GET /keys                  the hub's fetch-order key, which the attribute
//                              server checks every order against; when the
//                              configuration pins a key, the hub's must match
//
// Errors throw ProfileError naming the step and the hub's answer.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "connectors/connector_config.h"
#include "connectors/connector_keys.h"
#include "pki/signing_key.h"

namespace nser::connectors {

class ProfileError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// `attributeEndpoint` "host:port", or empty when this connector serves none.
void registerProfile(const ConnectorConfig& config, const ConnectorKeys& keys, const std::string& attributeEndpoint,
                     const std::vector<std::string>& attributes);

pki::PublicKey fetchHubOrderKey(const ConnectorConfig& config);

}  // namespace nser::connectors
