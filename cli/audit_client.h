// AuditClient: the hub's audit routes (docs/audit-format.md, "HTTP routes")
// as typed calls, for `nser audit` and `nser witness`. Nothing it returns is
// trusted: callers verify checkpoints, entries and proofs themselves
// (audit/log_verifier.h, audit/merkle_proof.h, audit/witness_state.h).
// A refusal by the hub throws AuditClientError with the hub's error text.
// Not thread-safe (one HTTPS connection).
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "audit/audit_log.h"
#include "audit/log_verifier.h"
#include "audit/merkle_hash.h"
#include "service/https_client.h"

namespace nser::cli {

class AuditClientError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class AuditClient {
 public:
  explicit AuditClient(std::unique_ptr<service::HttpsClient> client) : client_(std::move(client)) {}

  std::string checkpoint();         // the signed note with cosignatures
  std::string publishCheckpoint();  // POST: sign one now
  std::string verifierKey();        // "name+keyid+base64"
  // Entries [start, end), fetched in pages of at most 100,000.
  std::vector<audit::FetchedEntry> entries(std::uint64_t start, std::uint64_t end);
  std::vector<audit::Hash> consistencyProof(std::uint64_t first, std::uint64_t second);
  struct Inclusion {
    std::uint64_t index = 0;
    std::uint64_t size = 0;
    audit::Hash leafHash{};
    std::vector<audit::Hash> proof;
  };
  // `selector` is "index=N" or "hash=H"; `size` 0 for the latest.
  Inclusion inclusionProof(const std::string& selector, std::uint64_t size);
  // `query` is the URL query ("entity=...&limit=..."); entries as stored.
  std::vector<audit::FetchedEntry> search(const std::string& query);
  void submitCosignature(const std::string& verifierKey, std::uint64_t size, const std::string& signatureLine);

 private:
  service::HttpsResponse call(const std::string& method, const std::string& path, const std::string& body = "");
  std::unique_ptr<service::HttpsClient> client_;
};

// Parses the binary entry bundle of GET /audit/entries; throws AuditClientError when malformed.
std::vector<audit::FetchedEntry> parseEntryBundle(const std::string& body);

}  // namespace nser::cli
