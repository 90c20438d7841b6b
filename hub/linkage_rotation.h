// LinkageRotation: moving every custodian to a new linkage secret without
// changing entity ids and without a window in which search answers wrongly
// (docs/key-rotation.md).
//
//   prepare(N+1)  the hub accepts batches at the current epoch N and at N+1;
//                 N+1 batches are staged beside the current encodings
//                 (EntityIndex::stageNextEpoch), nothing is re-resolved;
//                 search stays at N;
//   status()      per custodian: present records, how many have an N+1
//                 encoding, how many are missing, records new at N+1;
//   switchNow()   refused (409 rotation_incomplete, with the counts) while a
//                 present record has no N+1 encoding, unless forced; else,
//                 with ingest paused, the index swaps to the N+1 encodings
//                 (entities and links kept), N+1 becomes current, the N
//                 encodings are gone, and epoch N is refused from then on;
//   abort()       before the switch: forgets the N+1 encodings, epoch N+1 is
//                 refused again (the rollback).
// Every state change is one synced write (rotation state, staged records,
// the new encoding shape). Answers are JSON documents; refusals throw
// service::HttpError. Thread-safe (serialised with ingest).
#pragma once

#include <Poco/JSON/Object.h>

#include <cstdint>
#include <functional>
#include <mutex>
#include <string>

#include "hub/ingest_service.h"
#include "hub/party_registry.h"
#include "hub/route_table.h"

namespace nser::hub {

class LinkageRotation {
 public:
  LinkageRotation(IngestService& ingest, const PartyRegistry& parties);

  std::string status() const;
  // `fingerprint`: the new key's fingerprint to pin (empty: not checked).
  std::string prepare(std::uint32_t epoch, const std::string& fingerprint, const std::string& admin);
  std::string switchNow(bool force);
  std::string abort();

 private:
  Poco::JSON::Object::Ptr statusObject() const;
  IngestService& ingest_;
  const PartyRegistry& parties_;
  std::mutex mutex_;  // one rotation step at a time
};

// Registers GET /admin/linkage/epoch (admin, auditor) and POST
// /admin/linkage/epoch/{prepare,switch,abort} (admin); `audit(actor, action,
// details)` records each change in the audit log before it is answered.
using RotationAudit = std::function<void(const Party& actor, const std::string& action, Poco::JSON::Object details)>;
void addLinkageRotationRoutes(RouteTable& routes, IngestService& ingest, const PartyRegistry& parties,
                              RotationAudit audit);

}  // namespace nser::hub
