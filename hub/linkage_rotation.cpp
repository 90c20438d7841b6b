#include "hub/linkage_rotation.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Parser.h>

#include <cstdlib>
#include <sstream>

#include "service/http_error.h"
#include "service/json_exchange.h"
#include "service/logging.h"

namespace nser::hub {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;
using service::HttpError;

Poco::Logger& log() { return Poco::Logger::get("hub.rotation"); }

std::string text(const Object& object) {
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

// Memory already changed; a failed synced write must not leave it ahead of
// disk (as for ingest: restart recovers from the store).
void commitOrExit(HubStore& store, HubStore::Batch& batch) {
  try {
    store.commit(batch, true);
  } catch (const std::exception& e) {
    service::logEvent(log(), Poco::Message::PRIO_FATAL,
                      "durable write failed; stopping so that restart recovers from the store", {{"error", e.what()}});
    std::_Exit(70);
  }
}

}  // namespace

LinkageRotation::LinkageRotation(IngestService& ingest, const PartyRegistry& parties)
    : ingest_(ingest), parties_(parties) {}

Object::Ptr LinkageRotation::statusObject() const {
  const KeyEpochs epochs = ingest_.keyEpochs();
  Object::Ptr out = new Object;
  out->set("current_epoch", epochs.current);
  out->set("state", epochs.rotating() ? "prepared" : "idle");
  if (!epochs.rotating()) return out;
  out->set("next_epoch", epochs.next);
  out->set("prepared_at", epochs.preparedAt);
  out->set("prepared_by", epochs.preparedBy);
  Array::Ptr custodians = new Array;
  std::uint64_t missingTotal = 0;
  if (const EntityIndex* index = ingest_.index()) {
    for (const auto& row : index->rotationProgress()) {
      Object::Ptr entry = new Object;
      const auto id = parties_.custodianId(row.custodian);
      entry->set("custodian", id ? *id : "custodian-" + std::to_string(row.custodian));
      entry->set("records", row.records);
      entry->set("re_encoded", row.reEncoded);
      entry->set("missing", row.records - row.reEncoded);
      entry->set("new_at_next_epoch", row.newAtNext);
      missingTotal += row.records - row.reEncoded;
      custodians->add(entry);
    }
  }
  out->set("custodians", custodians);
  out->set("missing", missingTotal);
  out->set("ready_to_switch", missingTotal == 0);
  return out;
}

std::string LinkageRotation::status() const { return text(*statusObject()); }

std::string LinkageRotation::prepare(std::uint32_t epoch, const std::string& fingerprint, const std::string& admin) {
  std::lock_guard lock(mutex_);
  ingest_.exclusive([&](EntityIndex*, HubStore& store) {
    KeyEpochs epochs = ingest_.keyEpochs();
    if (epochs.rotating()) {
      if (epochs.next == epoch && epochs.nextFingerprint == fingerprint) return;  // a retried prepare
      throw HttpError(409, "rotation_in_progress",
                      "key epoch " + std::to_string(epochs.next) + " is already prepared; switch to it or abort it first");
    }
    if (epoch <= epochs.current) {
      throw HttpError(400, "invalid_request",
                      "the next key epoch must be greater than the current one (" + std::to_string(epochs.current) +
                          "), got " + std::to_string(epoch));
    }
    epochs.next = epoch;
    epochs.nextFingerprint = fingerprint;
    epochs.preparedAt = currentTimestampUtc();
    epochs.preparedBy = admin;
    auto batch = store.batch();
    ingest_.persistKeyEpochs(epochs, batch);
    commitOrExit(store, batch);
    ingest_.setKeyEpochs(epochs);
  });
  service::logEvent(log(), Poco::Message::PRIO_NOTICE, "linkage key epoch prepared",
                    {{"next_epoch", std::to_string(epoch)}, {"by", admin}});
  return status();
}

std::string LinkageRotation::abort() {
  std::lock_guard lock(mutex_);
  std::uint64_t discarded = 0;
  std::uint32_t abandoned = 0;
  ingest_.exclusive([&](EntityIndex* index, HubStore& store) {
    KeyEpochs epochs = ingest_.keyEpochs();
    if (!epochs.rotating()) throw HttpError(409, "no_rotation", "no key epoch is prepared");
    abandoned = epochs.next;
    auto batch = store.batch();
    if (index != nullptr) discarded = index->discardNextEpoch(batch);
    epochs.next = 0;
    epochs.nextFingerprint.clear();
    epochs.preparedAt.clear();
    epochs.preparedBy.clear();
    ingest_.persistKeyEpochs(epochs, batch);
    commitOrExit(store, batch);
    ingest_.setKeyEpochs(epochs);
  });
  service::logEvent(log(), Poco::Message::PRIO_NOTICE, "linkage key rotation aborted",
                    {{"abandoned_epoch", std::to_string(abandoned)}, {"discarded", std::to_string(discarded)}});
  Object::Ptr out = statusObject();
  out->set("abandoned_epoch", abandoned);
  out->set("discarded_encodings", discarded);
  return text(*out);
}

std::string LinkageRotation::switchNow(bool force) {
  std::lock_guard lock(mutex_);
  EntityIndex::SwitchOutcome outcome;
  std::uint32_t previous = 0;
  ingest_.exclusive([&](EntityIndex* index, HubStore& store) {
    KeyEpochs epochs = ingest_.keyEpochs();
    if (!epochs.rotating()) throw HttpError(409, "no_rotation", "no key epoch is prepared; prepare one first");
    auto batch = store.batch();
    if (index != nullptr) {
      outcome = index->switchEpoch(epochs.next, force, batch);
      if (!outcome.switched) {
        std::string detail;
        for (const auto& row : index->rotationProgress()) {
          if (row.records == row.reEncoded) continue;
          const auto id = parties_.custodianId(row.custodian);
          detail += (detail.empty() ? "" : ", ") + (id ? *id : "custodian-" + std::to_string(row.custodian)) + " " +
                    std::to_string(row.records - row.reEncoded) + " of " + std::to_string(row.records);
        }
        throw HttpError(409, "rotation_incomplete",
                        std::to_string(outcome.missing) + " records have no encoding at key epoch " +
                            std::to_string(epochs.next) + " yet (" + detail +
                            "); re-sync those custodians' connectors with the new key, or force the switch");
      }
    }
    previous = epochs.current;
    epochs.current = epochs.next;
    epochs.currentFingerprint = epochs.nextFingerprint;
    epochs.next = 0;
    epochs.nextFingerprint.clear();
    epochs.preparedAt.clear();
    epochs.preparedBy.clear();
    ingest_.persistKeyEpochs(epochs, batch);
    commitOrExit(store, batch);
    ingest_.setKeyEpochs(epochs);
  });
  service::logEvent(log(), Poco::Message::PRIO_NOTICE, "switched linkage key epoch",
                    {{"previous_epoch", std::to_string(previous)},
                     {"re_encoded", std::to_string(outcome.reEncoded)},
                     {"rescored", std::to_string(outcome.rescored)},
                     {"dropped", std::to_string(outcome.dropped)}});
  Object::Ptr out = statusObject();
  out->set("previous_epoch", previous);
  out->set("forced", force);
  Object::Ptr result = new Object;
  result->set("re_encoded", outcome.reEncoded);
  result->set("rescored", outcome.rescored);
  result->set("dropped", outcome.dropped);
  result->set("entities_created", outcome.entitiesCreated);
  result->set("merges", outcome.merges);
  result->set("splits", outcome.splits);
  out->set("result", result);
  return text(*out);
}

void addLinkageRotationRoutes(RouteTable& routes, IngestService& ingest, const PartyRegistry& parties,
                              RotationAudit audit) {
  auto rotation = std::make_shared<LinkageRotation>(ingest, parties);
  const std::set<Role> admin = {Role::Admin};
  auto answer = [audit](RequestContext& c, const std::string& action, const std::string& report) {
    Poco::JSON::Parser parser;
    audit(*c.caller, action, *parser.parse(report).extract<Object::Ptr>());
    service::sendJsonText(c.response, 200, report);
  };
  routes.add({"GET", "/admin/linkage/epoch", {Role::Admin, Role::Auditor}, [rotation](RequestContext& c) {
                service::sendJsonText(c.response, 200, rotation->status());
              }});
  routes.add({"POST", "/admin/linkage/epoch/prepare", admin, [rotation, answer](RequestContext& c) {
                const auto body = service::parseJsonObject(service::readBody(c.request, 65536));
                std::uint32_t epoch = 0;
                try {
                  epoch = body->getValue<std::uint32_t>("epoch");
                } catch (const Poco::Exception&) {
                  throw HttpError(400, "invalid_request", "$.epoch must be a positive integer");
                }
                std::string fingerprint;
                if (body->has("key_fingerprint")) {
                  if (!body->get("key_fingerprint").isString()) {
                    throw HttpError(400, "invalid_request", "$.key_fingerprint must be a string");
                  }
                  fingerprint = body->getValue<std::string>("key_fingerprint");
                }
                answer(c, "linkage_epoch_prepare", rotation->prepare(epoch, fingerprint, c.caller->id));
              }});
  routes.add({"POST", "/admin/linkage/epoch/switch", admin, [rotation, answer](RequestContext& c) {
                const bool force = c.query.count("force") && c.query["force"] == "true";
                answer(c, force ? "linkage_epoch_switch_forced" : "linkage_epoch_switch", rotation->switchNow(force));
              }});
  routes.add({"POST", "/admin/linkage/epoch/abort", admin, [rotation, answer](RequestContext& c) {
                answer(c, "linkage_epoch_abort", rotation->abort());
              }});
}

}  // namespace nser::hub
