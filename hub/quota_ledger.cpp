#include "hub/quota_ledger.h"

#include <ctime>

namespace nser::hub {

QuotaLedger::QuotaLedger(HubStore& store) : store_(store) {}

std::string QuotaLedger::utcDay(std::int64_t unixSeconds) {
  const std::time_t time = static_cast<std::time_t>(unixSeconds);
  std::tm parts{};
  gmtime_r(&time, &parts);
  char text[16];
  std::strftime(text, sizeof text, "%Y-%m-%d", &parts);
  return text;
}

std::uint32_t QuotaLedger::load(const std::string& key) const {
  if (const auto it = counts_.find(key); it != counts_.end()) return it->second;
  std::uint32_t count = 0;
  if (const auto value = store_.get(Family::Quotas, key)) count = readBigEndian32(*value);
  counts_[key] = count;
  return count;
}

std::uint32_t QuotaLedger::used(const std::string& agreementId, std::int64_t unixSeconds) const {
  std::lock_guard lock(mutex_);
  return load(agreementId + std::string(1, '\0') + utcDay(unixSeconds));
}

bool QuotaLedger::consumeIfAvailable(const std::string& agreementId, std::uint32_t limit, std::int64_t unixSeconds) {
  const std::string key = agreementId + std::string(1, '\0') + utcDay(unixSeconds);
  std::lock_guard lock(mutex_);
  const std::uint32_t count = load(key);
  if (limit != 0 && count >= limit) return false;
  counts_[key] = count + 1;
  // Unlimited agreements are counted in memory only (for the statistics);
  // the audit log holds every request anyway.
  if (limit == 0) return true;
  auto batch = store_.batch();
  batch.put(Family::Quotas, key, bigEndian32(count + 1));
  store_.commit(batch, false);
  return true;
}

}  // namespace nser::hub
