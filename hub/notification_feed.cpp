#include "hub/notification_feed.h"

#include <sstream>

#include "hub/party_registry.h"

namespace nser::hub {
namespace {

constexpr const char* kNextNotificationKey = "next_notification";

}  // namespace

NotificationFeed::NotificationFeed(HubStore& store) : store_(store) {
  if (const auto value = store_.get(Family::Meta, kNextNotificationKey)) next_ = readBigEndian64(*value);
}

void NotificationFeed::notify(const std::vector<std::string>& parties, Poco::JSON::Object message) {
  if (parties.empty()) return;
  std::lock_guard lock(mutex_);
  auto batch = store_.batch();
  const std::string at = currentTimestampUtc();
  std::uint64_t last = 0;
  for (const auto& party : parties) {
    last = next_++;
    message.set("number", last);
    message.set("at", at);
    std::ostringstream text;
    message.stringify(text);
    batch.put(Family::Notifications, party + std::string(1, '\0') + bigEndian64(last), text.str());
  }
  batch.put(Family::Meta, kNextNotificationKey, bigEndian64(last + 1));
  store_.commit(batch, true);
}

std::vector<std::string> NotificationFeed::read(const std::string& party, std::uint64_t after, std::size_t limit) const {
  std::vector<std::string> out;
  if (limit == 0) return out;  // the scan below stops only after taking one
  const std::string prefix = party + std::string(1, '\0');
  store_.scan(Family::Notifications, prefix, [&](std::string_view key, std::string_view value) {
    if (key.size() != prefix.size() + 8 || key.substr(0, prefix.size()) != prefix) return false;
    if (readBigEndian64(key.substr(prefix.size())) <= after) return true;
    out.emplace_back(value);
    return out.size() < limit;
  });
  return out;
}

}  // namespace nser::hub
