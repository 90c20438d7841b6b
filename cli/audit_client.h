// AuditClient: the hub's audit routes (docs/audit-format.md, "HTTP routes")
// as typed calls, for `nser audit` and `nser witness`. Nothing it returns is
// trusted: callers verify checkpoints, entries and proofs themselves
// (audit/log_verifier.h, audit/merkle_proof.h, audit/witness_state.h).
// A refusal by the hub throws AuditClientError with the hub's error text.
// Not thread-safe (one HTTPS connection).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>
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
  // One page [start, end) (at most kMaxPage entries) as the hub sent it: the
  // binary bundle, for callers that read it in place (forEachBundleEntry).
  std::string entryPage(std::uint64_t start, std::uint64_t end);
  static constexpr std::uint64_t kMaxPage = 100'000;
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

// One entry of a bundle, viewed in place.
struct BundleEntry {
  std::uint64_t index = 0;
  audit::Hash leafHash{};  // the leaf hash the log says it recorded
  std::string_view bytes;
};
// Calls `visit` for each entry of the binary bundle of GET /audit/entries, in
// order, with views into `body`; throws AuditClientError when malformed.
void forEachBundleEntry(std::string_view body, const std::function<void(const BundleEntry&)>& visit);
// The same, copied out.
std::vector<audit::FetchedEntry> parseEntryBundle(const std::string& body);

}  // namespace nser::cli
