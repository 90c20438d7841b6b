#include "hub/hub_audit.h"

#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <charconv>

#include "audit/cosignature.h"
#include "service/json_exchange.h"
#include "service/logging.h"

namespace nser::hub {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;
using service::HttpError;

constexpr std::size_t kRecentCheckpoints = 16;
constexpr std::uint64_t kMaxEntriesPerRequest = 100'000;
const std::string kCheckpointMeta = "checkpoint";

Poco::Logger& log() { return Poco::Logger::get("hub.audit"); }

std::uint64_t parseUnsigned(const std::string& text, const std::string& name) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    throw HttpError(400, "invalid_request", name + " must be a non-negative integer");
  }
  return value;
}

std::int64_t parseSigned(const std::string& text, const std::string& name) {
  std::int64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) {
    throw HttpError(400, "invalid_request", name + " must be an integer (unix milliseconds)");
  }
  return value;
}

std::string queryOr(const RequestContext& c, const std::string& name, const std::string& fallback) {
  const auto it = c.query.find(name);
  return it == c.query.end() ? fallback : it->second;
}

Array::Ptr hashArray(const std::vector<audit::Hash>& hashes) {
  Array::Ptr array = new Array;
  for (const auto& hash : hashes) array->add(audit::hashToBase64(hash));
  return array;
}

void putBigEndian(std::string& out, std::uint64_t value, int bytes) {
  for (int shift = 8 * (bytes - 1); shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xFF));
}

}  // namespace

HubAudit::HubAudit(const HubAuditOptions& options)
    : options_(options),
      log_(std::make_unique<audit::AuditLog>(options.dataDirectory / "audit")),
      key_(pki::SigningKey::loadOrCreate(options.dataDirectory / "keys" / "checkpoint.key")),
      verifier_(audit::makeVerifierKey(options.origin, audit::kEd25519NoteType, key_.publicKey())) {
  if (const auto saved = log_->getMeta(kCheckpointMeta)) {
    try {
      const auto opened = audit::openCheckpoint(*saved, verifier_);
      if (opened.checkpoint.size <= log_->size()) {
        recent_[opened.checkpoint.size] = Published{opened.checkpoint, opened.note};
      }
    } catch (const std::exception& e) {
      // A checkpoint under another origin or key: sign afresh rather than serve it.
      service::logEvent(log(), Poco::Message::PRIO_WARNING, "saved audit checkpoint not reused", {{"error", e.what()}});
    }
  }
  publishCheckpoint();
  publisher_ = std::thread([this] { publisherLoop(); });
  service::logEvent(log(), Poco::Message::PRIO_NOTICE, "audit log open",
                    {{"entries", std::to_string(log_->size())}, {"verifier_key", verifierKey()}});
}

HubAudit::~HubAudit() { stop(); }

void HubAudit::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (publisher_.joinable()) publisher_.join();
  if (log_) log_->close();
}

std::uint64_t HubAudit::record(const audit::AuditEntry& entry) { return log_->append(entry); }

std::uint64_t HubAudit::recordAll(const std::vector<audit::AuditEntry>& entries) {
  if (entries.empty()) return log_->size();
  if (entries.size() == 1) return log_->append(entries.front());
  return log_->appendAll(entries);
}

void HubAudit::publisherLoop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    wake_.wait_for(lock, options_.checkpointInterval, [this] { return stopping_; });
    if (stopping_) break;
    lock.unlock();
    try {
      publishCheckpoint();
    } catch (const std::exception& e) {
      service::logEvent(log(), Poco::Message::PRIO_ERROR, "audit checkpoint failed", {{"error", e.what()}});
    }
    lock.lock();
  }
}

std::string HubAudit::noteText(const Published& published) const { return audit::formatNote(published.note); }

void HubAudit::persistLatest() {
  // Called with mutex_ held.
  if (recent_.empty()) return;
  log_->putMeta(kCheckpointMeta, noteText(recent_.rbegin()->second));
}

std::string HubAudit::publishCheckpoint() {
  std::lock_guard lock(mutex_);
  const std::uint64_t size = log_->size();
  if (!recent_.empty() && recent_.rbegin()->first == size) return noteText(recent_.rbegin()->second);
  Published published;
  published.checkpoint = audit::Checkpoint{options_.origin, size, log_->root(size), {}};
  published.note = audit::parseNote(audit::signCheckpoint(published.checkpoint, key_));
  recent_[size] = published;
  while (recent_.size() > kRecentCheckpoints) recent_.erase(recent_.begin());
  persistLatest();
  return noteText(published);
}

void HubAudit::addRoutes(RouteTable& routes) {
  const std::set<Role> readers = {Role::Auditor, Role::Admin};
  const std::set<Role> witnesses = {Role::Custodian, Role::Auditor};
  // What a witness needs (the checkpoint, its key, consistency proofs) holds
  // tree hashes only, no entry: custodians' connectors witness the log too.
  const std::set<Role> hashReaders = {Role::Auditor, Role::Admin, Role::Custodian};

  routes.add({"GET", "/audit/checkpoint", hashReaders, [this](RequestContext& c) {
                std::string text;
                {
                  std::lock_guard lock(mutex_);
                  text = noteText(recent_.rbegin()->second);
                }
                service::sendText(c.response, 200, "text/plain; charset=utf-8", text);
              }});
  routes.add({"POST", "/audit/checkpoint", readers, [this](RequestContext& c) {
                const std::string text = publishCheckpoint();
                service::logEvent(log(), Poco::Message::PRIO_INFORMATION, "audit checkpoint requested",
                                  {{"by", c.caller->id}});
                service::sendText(c.response, 200, "text/plain; charset=utf-8", text);
              }});
  routes.add({"GET", "/audit/key", hashReaders, [this](RequestContext& c) {
                Object body;
                body.set("origin", options_.origin);
                body.set("verifier_key", verifierKey());
                char hex[9];
                static const char* digits = "0123456789abcdef";
                for (std::size_t i = 0; i < 4; ++i) {
                  hex[2 * i] = digits[verifier_.keyId[i] >> 4];
                  hex[2 * i + 1] = digits[verifier_.keyId[i] & 0x0F];
                }
                hex[8] = '\0';
                body.set("key_id", std::string(hex));
                body.set("public_key", pki::encodePublicKey(key_.publicKey()));
                service::sendJson(c.response, 200, body);
              }});
  routes.add({"GET", "/audit/entries", readers, [this](RequestContext& c) {
                const std::uint64_t start = parseUnsigned(queryOr(c, "start", "0"), "start");
                std::uint64_t end = parseUnsigned(queryOr(c, "end", std::to_string(log_->size())), "end");
                if (end < start) throw HttpError(400, "invalid_request", "end must not be below start");
                end = std::min(end, start + kMaxEntriesPerRequest);
                // Binary bundle (docs/audit-format.md): per entry index (8), recorded leaf hash (32), length (4), bytes.
                const auto entries = log_->entries(start, end);
                std::size_t length = 0;
                for (const auto& entry : entries) length += 44 + entry.bytes.size();
                std::string body;
                body.reserve(length);
                for (const auto& entry : entries) {
                  putBigEndian(body, entry.index, 8);
                  body.append(audit::hashBytes(entry.leafHash));
                  putBigEndian(body, entry.bytes.size(), 4);
                  body.append(entry.bytes);
                }
                service::sendText(c.response, 200, "application/octet-stream", body);
              }});
  routes.add({"GET", "/audit/proof/inclusion", readers, [this](RequestContext& c) {
                std::uint64_t size = parseUnsigned(queryOr(c, "size", std::to_string(log_->size())), "size");
                std::uint64_t index = 0;
                if (c.query.count("hash")) {
                  auto hash = audit::hashFromBase64(c.query["hash"]);
                  if (!hash) hash = audit::hashFromHex(c.query["hash"]);
                  if (!hash) throw HttpError(400, "invalid_request", "hash must be a base64 or hex SHA-256 leaf hash");
                  const auto found = log_->findByLeafHash(*hash);
                  if (!found) throw HttpError(404, "not_found", "no entry has that leaf hash");
                  index = *found;
                } else {
                  index = parseUnsigned(queryOr(c, "index", ""), "index");
                }
                std::vector<audit::Hash> proof;
                try {
                  proof = log_->inclusionProof(index, size);
                } catch (const audit::AuditLogError& e) {
                  throw HttpError(400, "invalid_request", e.what());
                }
                Object body;
                body.set("index", index);
                body.set("size", size);
                body.set("leaf_hash", audit::hashToBase64(log_->entries(index, index + 1).at(0).leafHash));
                body.set("proof", hashArray(proof));
                service::sendJson(c.response, 200, body);
              }});
  routes.add({"GET", "/audit/proof/consistency", hashReaders, [this](RequestContext& c) {
                const std::uint64_t first = parseUnsigned(queryOr(c, "first", ""), "first");
                const std::uint64_t second =
                    parseUnsigned(queryOr(c, "second", std::to_string(log_->size())), "second");
                std::vector<audit::Hash> proof;
                try {
                  proof = log_->consistencyProof(first, second);
                } catch (const audit::AuditLogError& e) {
                  throw HttpError(400, "invalid_request", e.what());
                }
                Object body;
                body.set("first", first);
                body.set("second", second);
                body.set("proof", hashArray(proof));
                service::sendJson(c.response, 200, body);
              }});
  routes.add({"GET", "/audit/search", readers, [this](RequestContext& c) {
                audit::AuditQuery query;
                query.programme = queryOr(c, "programme", "");
                query.custodian = queryOr(c, "custodian", "");
                query.entity = queryOr(c, "entity", "");
                query.purpose = queryOr(c, "purpose", "");
                query.decision = queryOr(c, "decision", "");
                if (c.query.count("from")) query.fromMillis = parseSigned(c.query["from"], "from");
                if (c.query.count("to")) query.toMillis = parseSigned(c.query["to"], "to");
                query.limit = std::min<std::uint64_t>(parseUnsigned(queryOr(c, "limit", "100"), "limit"), 10'000);
                Array::Ptr hits = new Array;
                for (const auto& hit : log_->search(query)) {
                  Object::Ptr item = new Object;
                  item->set("index", hit.index);
                  item->set("leaf_hash", audit::hashToBase64(hit.leafHash));
                  item->set("entry_base64", pki::toBase64(hit.bytes));
                  hits->add(item);
                }
                Object body;
                body.set("entries", hits);
                service::sendJson(c.response, 200, body);
              }});
  routes.add({"POST", "/audit/cosignatures", witnesses, [this](RequestContext& c) {
                const auto body = service::parseJsonObject(service::readBody(c.request, 16384));
                if (!body->has("verifier_key") || !body->has("cosignature") || !body->has("size")) {
                  throw HttpError(400, "invalid_request", "expected verifier_key, size and cosignature");
                }
                audit::VerifierKey witness;
                audit::NoteSignature signature;
                try {
                  witness = audit::parseVerifierKey(body->getValue<std::string>("verifier_key"));
                  std::string line = body->getValue<std::string>("cosignature");
                  while (!line.empty() && line.back() == '\n') line.pop_back();
                  signature = audit::parseSignatureLine(line);
                } catch (const std::exception& e) {
                  throw HttpError(400, "invalid_request", e.what());
                }
                if (witness.type != audit::kCosignatureV1Type) {
                  throw HttpError(400, "invalid_request", "verifier_key must be a cosignature/v1 key (type 0x04)");
                }
                if (witness.name != c.caller->id) {
                  throw HttpError(403, "forbidden", "a witness cosigns under its own party id '" + c.caller->id + "'");
                }
                const std::uint64_t size = body->getValue<std::uint64_t>("size");
                std::lock_guard lock(mutex_);
                const auto it = recent_.find(size);
                if (it == recent_.end()) {
                  throw HttpError(409, "stale_checkpoint", "no recent checkpoint of size " + std::to_string(size));
                }
                const auto timestamp = audit::verifyCosignature(it->second.note.body, signature, witness);
                if (!timestamp) {
                  throw HttpError(400, "invalid_cosignature",
                                  "the cosignature does not verify for the checkpoint of size " + std::to_string(size));
                }
                auto& signatures = it->second.note.signatures;
                std::erase_if(signatures, [&](const audit::NoteSignature& s) {
                  return s.name == witness.name && s.keyId == witness.keyId;
                });
                signatures.push_back(signature);
                persistLatest();
                service::logEvent(log(), Poco::Message::PRIO_INFORMATION, "audit checkpoint cosigned",
                                  {{"witness", witness.name}, {"size", std::to_string(size)}});
                Object answer;
                answer.set("size", size);
                answer.set("timestamp", *timestamp);
                service::sendJson(c.response, 200, answer);
              }});
}

}  // namespace nser::hub
