#include "hub/ingest_service.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <sodium.h>

#include <cereal/archives/portable_binary.hpp>
#include <cstdlib>
#include <sstream>

#include "hub/party_registry.h"
#include "schemas/binary_codec.h"
#include "schemas/json_document.h"
#include "service/http_error.h"
#include "service/logging.h"

namespace nser::hub {
namespace {

constexpr std::string_view kShapeKey = "encoding_shape";

std::string sequenceKey(const std::string& custodian) { return custodian + std::string(1, '\0') + "seq"; }
std::string idempotencyKey(const std::string& custodian, const std::string& key) {
  return custodian + std::string(1, '\0') + "key" + std::string(1, '\0') + key;
}

std::string bodyDigest(std::string_view body) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(body.data()), body.size());
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return hex;
}

[[noreturn]] void fatalWriteFailure(const std::exception& e) {
  service::logEvent(Poco::Logger::get("hub.ingest"), Poco::Message::PRIO_FATAL,
                    "durable write failed; stopping so that restart recovers from the store",
                    {{"error", e.what()}});
  std::_Exit(70);
}

}  // namespace

IngestService::IngestService(HubStore& store, EncodingBinding binding, linkage::LinkSettings settings,
                             linkage::FellegiSunterModel model, IngestOptions options)
    : store_(store),
      binding_(std::move(binding)),
      settings_(std::move(settings)),
      model_(std::move(model)),
      options_(options) {
  if (auto adopted = store_.get(Family::Meta, "model")) {
    // An admin switched to a retrained model (model_lifecycle.h): it
    // replaces the configured one.
    model_ = linkage::FellegiSunterModel::fromJson(schemas::JsonNode::parseText(*adopted, "stored model"));
  }
  epochs_.current = binding_.keyEpoch;
  epochs_.currentFingerprint = binding_.keyFingerprint;
  if (auto stored = store_.get(Family::Meta, kKeyEpochsKey)) {
    // A rotation was prepared (hub/linkage_rotation.h): its state is the
    // truth, whatever the configuration still says.
    epochs_ = KeyEpochs::fromJson(*stored);
    if (epochs_.current != binding_.keyEpoch) {
      service::logEvent(Poco::Logger::get("hub.ingest"), Poco::Message::PRIO_WARNING,
                        "linkage.key_epoch in the configuration differs from the hub's current key epoch (rotated); "
                        "using the hub's; update the configuration",
                        {{"configured", std::to_string(binding_.keyEpoch)},
                         {"current", std::to_string(epochs_.current)}});
    }
  }
  if (auto shape = store_.get(Family::Meta, kShapeKey)) {
    const auto header = schemas::decodeBinary<linkage::EncodingHeader>(*shape);
    model_.bindFields(header.fieldNames);
    index_ = std::make_unique<EntityIndex>(store_, settings_, model_, header);
    index_->setKeyEpoch(epochs_.current);
    published_ = index_.get();
  }
}

KeyEpochs IngestService::keyEpochs() const {
  std::lock_guard lock(epochsMutex_);
  return epochs_;
}

void IngestService::persistKeyEpochs(const KeyEpochs& epochs, HubStore::Batch& batch) const {
  batch.put(Family::Meta, kKeyEpochsKey, epochs.toJson());
  if (index_) {
    linkage::EncodingHeader shape = index_->shape();
    shape.keyEpoch = epochs.current;
    batch.put(Family::Meta, kShapeKey, schemas::encodeBinary(shape));
  }
}

void IngestService::setKeyEpochs(const KeyEpochs& epochs) {
  std::lock_guard lock(epochsMutex_);
  epochs_ = epochs;
}

const EntityIndex* IngestService::index() const { return published_.load(); }

void IngestService::exclusive(const std::function<void(EntityIndex*, HubStore&)>& work) {
  std::lock_guard lock(writer_);
  work(index_.get(), store_);
}

std::uint64_t IngestService::lastSequence(const std::string& custodian) const {
  auto value = store_.get(Family::Ingest, sequenceKey(custodian));
  return value ? readBigEndian64(*value) : 0;
}

void IngestService::checkBinding(const linkage::EncodingHeader& header) const {
  const KeyEpochs epochs = keyEpochs();
  auto mismatch = [](const std::string& field, const std::string& got, const std::string& expected) {
    return service::HttpError(422, "encoding_mismatch",
                              "encoding header " + field + " is '" + got + "', this hub accepts '" + expected +
                                  "' (re-encode with the deployment's linkage schema and current key epoch)");
  };
  if (header.formatVersion != linkage::kEncodingFormatVersion) {
    throw mismatch("format_version", std::to_string(header.formatVersion),
                   std::to_string(linkage::kEncodingFormatVersion));
  }
  if (header.schemaId != binding_.schemaId) throw mismatch("schema_id", header.schemaId, binding_.schemaId);
  if (header.schemaDigest != binding_.schemaDigest) {
    throw mismatch("schema_digest", header.schemaDigest, binding_.schemaDigest);
  }
  if (!epochs.accepts(header.keyEpoch)) {
    throw mismatch("key_epoch", std::to_string(header.keyEpoch),
                   std::to_string(epochs.current) +
                       (epochs.rotating() ? "' or the prepared next epoch '" + std::to_string(epochs.next) : ""));
  }
  const std::string& fingerprint = epochs.fingerprintOf(header.keyEpoch);
  if (!fingerprint.empty() && header.keyFingerprint != fingerprint) {
    throw mismatch("key_fingerprint", header.keyFingerprint, fingerprint);
  }
  if (const EntityIndex* index = published_.load()) {
    const auto& shape = index->shape();
    if (header.clkBits != shape.clkBits || header.fieldNames != shape.fieldNames || header.fieldBits != shape.fieldBits) {
      throw service::HttpError(422, "encoding_mismatch",
                               "encoding header filter shape (CLK bits, field names or field bits) differs from the "
                               "records this hub holds under the same schema");
    }
  }
}

EntityIndex& IngestService::indexFor(const linkage::EncodingHeader& header, HubStore::Batch& batch) {
  if (!index_) {
    linkage::EncodingHeader shape = header;
    shape.keyFingerprint.clear();  // the shape only; the binding is checked per batch
    try {
      model_.bindFields(shape.fieldNames);
    } catch (const std::exception& e) {
      throw service::HttpError(422, "encoding_mismatch",
                               std::string("the configured model cannot score these encodings: ") + e.what());
    }
    shape.keyEpoch = keyEpochs().current;
    batch.put(Family::Meta, kShapeKey, schemas::encodeBinary(shape));
    index_ = std::make_unique<EntityIndex>(store_, settings_, model_, shape);
    index_->setKeyEpoch(shape.keyEpoch);
  }
  return *index_;
}

std::optional<std::string> IngestService::storedDuplicate(const Party& caller, const protocol::IngestBatch& batch,
                                                          const std::string& digest, bool& conflict) {
  conflict = false;
  auto stored = store_.get(Family::Ingest, idempotencyKey(caller.id, batch.idempotencyKey));
  if (!stored) return std::nullopt;
  Poco::JSON::Parser parser;
  auto ack = parser.parse(*stored).extract<Poco::JSON::Object::Ptr>();
  if (ack->getValue<std::string>("body_sha256") != digest) {
    conflict = true;
    return std::nullopt;
  }
  ack->set("status", "duplicate");
  counters_.batchesDuplicate++;
  std::ostringstream out;
  ack->stringify(out);
  return out.str();
}

std::string IngestService::ingest(const Party& caller, std::string_view body) {
  protocol::IngestBatch batch;
  try {
    batch = protocol::parseIngestBatch(body, options_.limits);
  } catch (const protocol::ProtocolError& e) {
    counters_.batchesRejected++;
    throw service::HttpError(400, "malformed_batch", e.what());
  }
  if (batch.custodian != caller.id) {
    counters_.batchesRejected++;
    throw service::HttpError(403, "wrong_custodian",
                             "party '" + caller.id + "' may write only its own records, not those of custodian '" +
                                 batch.custodian + "'");
  }
  try {
    checkBinding(batch.encoding);
  } catch (const service::HttpError&) {
    // A batch applied before a key-epoch switch and retried after it (its
    // acknowledgement was lost) is still a duplicate, not a refusal: the
    // connector must not give its sequence back.
    std::lock_guard lock(writer_);
    bool conflict = false;
    if (auto duplicate = storedDuplicate(caller, batch, bodyDigest(body), conflict)) return *duplicate;
    counters_.batchesRejected++;
    throw;
  }
  const std::string digest = bodyDigest(body);

  struct Waiting {
    std::atomic<std::size_t>& count;
    ~Waiting() { count--; }
  };
  if (waiting_.fetch_add(1) >= options_.maxQueuedBatches) {
    waiting_--;
    counters_.batchesThrottled++;
    throw service::HttpError(429, "overloaded",
                             "the hub is applying other batches; retry after " +
                                 std::to_string(options_.retryAfterSeconds) + " s")
        .retryAfter(options_.retryAfterSeconds);
  }
  Waiting waiting{waiting_};
  std::lock_guard lock(writer_);

  bool conflict = false;
  if (auto duplicate = storedDuplicate(caller, batch, digest, conflict)) return *duplicate;
  if (conflict) {
    counters_.batchesRejected++;
    throw service::HttpError(409, "idempotency_conflict",
                             "idempotency key '" + batch.idempotencyKey +
                                 "' was already used for a batch with different content");
  }
  const std::uint64_t last = lastSequence(caller.id);
  if (batch.sequence <= last) {
    counters_.batchesRejected++;
    throw service::HttpError(409, "sequence_conflict",
                             "sequence " + std::to_string(batch.sequence) + " of custodian '" + caller.id +
                                 "' was already applied under another idempotency key (last applied: " +
                                 std::to_string(last) + ")");
  }
  if (batch.sequence != last + 1) {
    counters_.batchesRejected++;
    throw service::HttpError(409, "sequence_gap",
                             "sequence " + std::to_string(batch.sequence) + " of custodian '" + caller.id +
                                 "' skips ahead; the next expected is " + std::to_string(last + 1));
  }

  // The epochs change only under the writer lock (a switch), so this check
  // holds until the batch is applied.
  const KeyEpochs epochs = keyEpochs();
  if (!epochs.accepts(batch.encoding.keyEpoch)) {
    counters_.batchesRejected++;
    throw service::HttpError(422, "encoding_mismatch",
                             "encoding header key_epoch is '" + std::to_string(batch.encoding.keyEpoch) +
                                 "', this hub switched to key epoch '" + std::to_string(epochs.current) +
                                 "' (re-encode with the current linkage key)");
  }
  const bool atNextEpoch = batch.encoding.keyEpoch != epochs.current;
  auto write = store_.batch();
  EntityIndex& index = indexFor(batch.encoding, write);
  const ApplyOutcome outcome =
      atNextEpoch ? index.stageNextEpoch(caller.custodianNumber, batch.sequence, batch.operations, write)
                  : index.apply(caller.custodianNumber, batch.sequence, batch.operations, write);

  Poco::JSON::Object ack;
  ack.set("custodian", caller.id);
  ack.set("sequence", batch.sequence);
  ack.set("idempotency_key", batch.idempotencyKey);
  ack.set("status", "applied");
  ack.set("operations", batch.operations.size());
  ack.set("upserted", outcome.upserted);
  ack.set("unchanged", outcome.unchanged);
  ack.set("deleted", outcome.deleted);
  ack.set("delete_unknown", outcome.deleteUnknown);
  ack.set("entities_created", outcome.entitiesCreated);
  ack.set("merges", outcome.merges);
  ack.set("splits", outcome.splits);
  ack.set("body_sha256", digest);
  ack.set("applied_at", currentTimestampUtc());
  std::ostringstream text;
  ack.stringify(text);
  write.put(Family::Ingest, idempotencyKey(caller.id, batch.idempotencyKey), text.str());
  write.put(Family::Ingest, sequenceKey(caller.id), bigEndian64(batch.sequence));
  try {
    store_.commit(write, true);
  } catch (const std::exception& e) {
    fatalWriteFailure(e);
  }
  published_ = index_.get();
  counters_.batchesApplied++;
  counters_.recordsUpserted += outcome.upserted;
  counters_.recordsUnchanged += outcome.unchanged;
  counters_.recordsDeleted += outcome.deleted;
  counters_.candidatesScored += outcome.candidatesScored;
  counters_.entitiesCreated += outcome.entitiesCreated;
  counters_.merges += outcome.merges;
  counters_.splits += outcome.splits;
  return text.str();
}

}  // namespace nser::hub
