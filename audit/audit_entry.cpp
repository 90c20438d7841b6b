#include "audit/audit_entry.h"

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <array>
#include <sstream>

#include "protocol/json_reader.h"

namespace nser::audit {
namespace {

constexpr unsigned char kVersion = 0x01;
constexpr std::size_t kMaxFieldBytes = 1u << 20;

void putU32(std::string& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((v >> shift) & 0xFF));
}

void putString(std::string& out, std::string_view name, std::string_view value) {
  if (value.size() > kMaxFieldBytes) {
    throw AuditEntryError("audit entry: " + std::string(name) + " is longer than " + std::to_string(kMaxFieldBytes) +
                          " bytes");
  }
  putU32(out, static_cast<std::uint32_t>(value.size()));
  out.append(value);
}

void requireIndexable(std::string_view name, std::string_view value) {
  if (value.find('\0') != std::string_view::npos) {
    throw AuditEntryError("audit entry: " + std::string(name) + " contains a NUL byte");
  }
}

class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  std::uint64_t fixed64(std::string_view name) {
    need(8, name);
    std::uint64_t v = 0;
    for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(bytes_[at_ + static_cast<std::size_t>(i)]);
    at_ += 8;
    return v;
  }
  std::string_view string(std::string_view name) {
    need(4, name);
    std::uint32_t length = 0;
    for (int i = 0; i < 4; ++i) {
      length = (length << 8) | static_cast<unsigned char>(bytes_[at_ + static_cast<std::size_t>(i)]);
    }
    at_ += 4;
    if (length > kMaxFieldBytes) throw AuditEntryError("audit entry: " + std::string(name) + ": length too large");
    need(length, name);
    const std::string_view value = bytes_.substr(at_, length);
    at_ += length;
    return value;
  }
  bool done() const { return at_ == bytes_.size(); }

 private:
  void need(std::size_t n, std::string_view name) const {
    if (bytes_.size() - at_ < n) throw AuditEntryError("audit entry: " + std::string(name) + ": truncated");
  }
  std::string_view bytes_;
  std::size_t at_ = 1;  // after the version byte
};

bool looksLikeJsonObject(std::string_view text) {
  return text.size() >= 2 && text.front() == '{' && text.back() == '}';
}

// Whether `text` (which starts with '{' and ends with '}') is one valid JSON
// value, hence an object. The project's strict reader builds one flat array
// where Poco's parser made a string per key and value: appenders check every
// entry's details.
void checkJsonSyntax(const std::string& text) {
  try {
    (void)protocol::JsonDocument::parse(text);
  } catch (const protocol::JsonSyntaxError& e) {
    throw AuditEntryError(std::string("audit entry: details is not valid JSON: ") + e.what());
  }
}

// The decoded fields as views into the entry's bytes.
struct EntryFields {
  std::int64_t timeMillis = 0;
  std::string_view kind, actor, programme, custodian, entity, purpose, decision, details;
};

EntryFields readFields(std::string_view bytes) {
  if (bytes.empty()) throw AuditEntryError("audit entry: empty");
  if (static_cast<unsigned char>(bytes[0]) != kVersion) {
    throw AuditEntryError("audit entry: version: unknown version " +
                          std::to_string(static_cast<unsigned char>(bytes[0])));
  }
  Reader reader(bytes);
  EntryFields fields;
  fields.timeMillis = static_cast<std::int64_t>(reader.fixed64("time"));
  fields.kind = reader.string("kind");
  fields.actor = reader.string("actor");
  fields.programme = reader.string("programme");
  fields.custodian = reader.string("custodian");
  fields.entity = reader.string("entity");
  fields.purpose = reader.string("purpose");
  fields.decision = reader.string("decision");
  fields.details = reader.string("details");
  if (!reader.done()) throw AuditEntryError("audit entry: trailing bytes after details");
  if (fields.kind.empty()) throw AuditEntryError("audit entry: kind: empty");
  if (!looksLikeJsonObject(fields.details)) throw AuditEntryError("audit entry: details: not a JSON object");
  return fields;
}

}  // namespace

std::string encodeAuditEntry(const AuditEntry& entry) {
  if (entry.kind.empty()) throw AuditEntryError("audit entry: kind is empty");
  const std::array<std::pair<std::string_view, const std::string*>, 5> indexed = {{{"programme", &entry.programme},
                                                                                   {"custodian", &entry.custodian},
                                                                                   {"entity", &entry.entity},
                                                                                   {"purpose", &entry.purpose},
                                                                                   {"decision", &entry.decision}}};
  for (const auto& [name, value] : indexed) requireIndexable(name, *value);
  requireIndexable("kind", entry.kind);
  requireIndexable("actor", entry.actor);
  if (!looksLikeJsonObject(entry.details)) throw AuditEntryError("audit entry: details must be a JSON object");
  checkJsonSyntax(entry.details);
  std::string out;
  out.reserve(64 + entry.kind.size() + entry.actor.size() + entry.programme.size() + entry.custodian.size() +
              entry.entity.size() + entry.purpose.size() + entry.decision.size() + entry.details.size());
  out.push_back(static_cast<char>(kVersion));
  const auto time = static_cast<std::uint64_t>(entry.timeMillis);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((time >> shift) & 0xFF));
  putString(out, "kind", entry.kind);
  putString(out, "actor", entry.actor);
  for (const auto& [name, value] : indexed) putString(out, name, *value);
  putString(out, "details", entry.details);
  return out;
}

AuditEntry decodeAuditEntry(std::string_view bytes) {
  const EntryFields fields = readFields(bytes);
  AuditEntry entry;
  entry.timeMillis = fields.timeMillis;
  entry.kind = fields.kind;
  entry.actor = fields.actor;
  entry.programme = fields.programme;
  entry.custodian = fields.custodian;
  entry.entity = fields.entity;
  entry.purpose = fields.purpose;
  entry.decision = fields.decision;
  entry.details = fields.details;
  return entry;
}

void checkAuditEntry(std::string_view bytes) { (void)readFields(bytes); }

std::string auditEntryToJson(const AuditEntry& entry) {
  Poco::JSON::Object object(Poco::JSON_PRESERVE_KEY_ORDER);
  object.set("kind", entry.kind);
  object.set("time_ms", entry.timeMillis);
  object.set("actor", entry.actor);
  for (const auto& [name, value] : {std::pair<const char*, const std::string*>{"programme", &entry.programme},
                                    {"custodian", &entry.custodian},
                                    {"entity", &entry.entity},
                                    {"purpose", &entry.purpose},
                                    {"decision", &entry.decision}}) {
    if (!value->empty()) object.set(name, *value);
  }
  try {
    Poco::JSON::Parser parser;
    object.set("details", parser.parse(entry.details));
  } catch (const Poco::Exception&) {
    object.set("details_text", entry.details);
  }
  std::ostringstream out;
  object.stringify(out);
  return out.str();
}

}  // namespace nser::audit
