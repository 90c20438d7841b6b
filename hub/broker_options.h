// BrokerOptions: how the hub brokers attributes (hub/attribute_broker.h);
// the "brokering" object of the hub configuration (docs/hub.md).
#pragma once

#include <chrono>
#include <cstdint>

namespace nser::hub {

struct BrokerOptions {
  // How long a custodian accepts a fetch order after the hub signed it.
  std::int64_t orderValiditySeconds = 60;
  // How long the hub waits for a custodian's attribute server.
  std::chrono::milliseconds fetchTimeout{5000};
};

}  // namespace nser::hub
