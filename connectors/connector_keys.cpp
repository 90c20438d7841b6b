#include "connectors/connector_keys.h"

#include <filesystem>

namespace nser::connectors {

ConnectorKeys ConnectorKeys::loadOrCreate(const std::string& dataDirectory) {
  const std::filesystem::path keys = std::filesystem::path(dataDirectory) / "keys";
  return ConnectorKeys{pki::SigningKey::loadOrCreate(keys / "consent-signing.key"),
                       protocol::BoxKeyPair::loadOrCreate(keys / "box.key")};
}

}  // namespace nser::connectors
