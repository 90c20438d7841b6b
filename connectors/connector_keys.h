// ConnectorKeys: the connector's own key pairs, kept in its data directory
// (`keys/`, directory 0700, files 0600, created on first start):
//
//   consent-signing.key  Ed25519: signs the consent artefacts and status
//                        changes its registration desks capture
//   box.key              X25519: attributes brokered for this custodian's
//                        programmes are sealed to its public half
//
// The public halves are registered with the hub (hub_profile.h). Secrets stay
// in libsodium-guarded memory and never leave this process.
#pragma once

#include <string>

#include "pki/signing_key.h"
#include "protocol/sealed_attributes.h"

namespace nser::connectors {

struct ConnectorKeys {
  pki::SigningKey signing;
  protocol::BoxKeyPair box;

  static ConnectorKeys loadOrCreate(const std::string& dataDirectory);
};

}  // namespace nser::connectors
