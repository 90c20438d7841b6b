// AuditEntry: one event in the audit log (a brokering decision, an ingest
// batch summary, an administrative change, a consent change) and its
// canonical bytes, which are what the Merkle tree hashes. The encoding is
// documented in docs/audit-format.md:
//   0x01 (version) | time (8 bytes, big-endian two's complement, unix ms UTC)
//   | kind | actor | programme | custodian | entity | purpose | decision | details
// each string a 4-byte big-endian length then its UTF-8 bytes. One encoding
// per entry: decode(encode(e)) == e and encode(decode(b)) == b.
//
// Entries carry pseudonymous ids only (party ids, entity ids, purpose and
// agreement codes), never an identifier or an attribute value. The index
// fields (programme .. decision) may not contain a NUL byte (they are parts
// of secondary-index keys); `details` must be a JSON object.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>

namespace nser::audit {

class AuditEntryError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct AuditEntry {
  std::string kind;         // "decision", "ingest", "admin", "consent"
  std::int64_t timeMillis = 0;  // unix ms UTC
  std::string actor;        // party id that caused it
  std::string programme, custodian, entity, purpose, decision;  // index fields, "" = absent
  std::string details;      // a JSON object text (no identifiers, no attribute values)
  bool operator==(const AuditEntry&) const = default;
};

// Throws AuditEntryError naming the field that cannot be encoded.
std::string encodeAuditEntry(const AuditEntry& entry);
// Throws AuditEntryError naming the field (or the version byte, or trailing bytes).
AuditEntry decodeAuditEntry(std::string_view bytes);
// The checks of decodeAuditEntry without building the entry (for verifiers
// that only need to know the bytes are a well-formed entry).
void checkAuditEntry(std::string_view bytes);

// The entry as a JSON object text ({"kind":..., "time_ms":..., ...; details
// embedded as an object}), for the CLI's listings and exports.
std::string auditEntryToJson(const AuditEntry& entry);

}  // namespace nser::audit
