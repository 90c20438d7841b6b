// The mutual-TLS connection options shared by the commands that call the hub
// as a party (`nser admin`, and later `nser audit`):
//   --hub https://HOST:PORT   (or $NSER_HUB_URL)
//   --cert FILE --key FILE    this party's certificate and key ($NSER_CERT, $NSER_KEY)
//   --ca FILE                 the deployment CA ($NSER_CA)
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "cli/arguments.h"
#include "service/https_client.h"

namespace nser::cli {

std::vector<OptionSpec> hubConnectionOptions();
// Throws UsageError naming a missing option; TlsConfigError for bad files.
std::unique_ptr<service::HttpsClient> connectToHub(const Arguments& parsed);

// A short description of the hub's JSON error, or the status alone.
std::string describeHubError(const service::HttpsResponse& response);

}  // namespace nser::cli
