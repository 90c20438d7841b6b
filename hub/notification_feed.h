// NotificationFeed: messages the hub leaves for a party to collect (GET
// /notifications): today, consent status changes for the programme that
// holds the consent and for every custodian holding records of its subject.
//
// Stored in family Notifications under party id + 0x00 + a per-hub counter
// (u64 BE), so a party reads its own in order and resumes with `after`.
// Notifications carry ids (consent, entity, programme), never identities.
//
// Thread-safe; writes are synced.
#pragma once

#include <Poco/JSON/Object.h>

#include <mutex>
#include <cstdint>
#include <string>
#include <vector>

#include "hub/hub_store.h"

namespace nser::hub {

class NotificationFeed {
 public:
  explicit NotificationFeed(HubStore& store);

  // Leaves `message` (a JSON object; "number" and "at" are added) for each party.
  void notify(const std::vector<std::string>& parties, Poco::JSON::Object message);
  // The party's notifications numbered above `after`, oldest first, at most `limit`.
  std::vector<std::string> read(const std::string& party, std::uint64_t after, std::size_t limit) const;

 private:
  HubStore& store_;
  std::mutex mutex_;
  std::uint64_t next_ = 1;
};

}  // namespace nser::hub
