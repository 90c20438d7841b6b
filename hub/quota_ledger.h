// QuotaLedger: how many brokered requests each agreement has permitted per
// UTC day, against the agreement's `requestsPerDay` (policy/agreement.h).
//
// Counted in memory; for agreements with a limit also written through to
// family Quotas (WAL, not synced:
// a counter is not an acknowledgement to anyone, and the WAL survives a
// kill -9 of the process). Days are UTC calendar days; old days are kept for
// the statistics and audits.
//
// Thread-safe. `consumeIfAvailable` is atomic: two concurrent requests never
// both take the last unit.
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <string>

#include "hub/hub_store.h"

namespace nser::hub {

class QuotaLedger {
 public:
  explicit QuotaLedger(HubStore& store);

  // Permitted requests of `agreementId` on the UTC day of `unixSeconds`.
  std::uint32_t used(const std::string& agreementId, std::int64_t unixSeconds) const;
  // Counts one request against `limit` (0: no limit). False, and nothing
  // counted, when the day's quota is spent.
  bool consumeIfAvailable(const std::string& agreementId, std::uint32_t limit, std::int64_t unixSeconds);

  static std::string utcDay(std::int64_t unixSeconds);

 private:
  HubStore& store_;
  mutable std::mutex mutex_;
  mutable std::map<std::string, std::uint32_t> counts_;  // agreement id + 0x00 + day -> count
  std::uint32_t load(const std::string& key) const;
};

}  // namespace nser::hub
