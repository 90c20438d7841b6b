// The auditor's check of a whole log, trusting nothing but a pinned log key
// and what this auditor saved last time:
//  1. the checkpoint carries a valid signature by the pinned key;
//  2. the entries are exactly indexes 0 .. size-1, each decodes, and each
//     hashes to the leaf hash the log says it recorded (when it says);
//  3. the root recomputed from the entries equals the checkpoint's root;
//  4. against the previously saved checkpoint (same key): not smaller, the
//     same root when the same size (else a split view), and the first
//     prev.size entries hash to the saved root (else history was rewritten);
//     a consistency proof from the log, when given, verifies as well.
// The result names the first thing found wrong ("entry 17 does not match ...",
// "checkpoint signature invalid", "root mismatch", "split view", ...).
// Pure function of its inputs; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/checkpoint.h"
#include "audit/compact_range.h"
#include "audit/merkle_hash.h"
#include "audit/signed_note.h"

namespace nser::audit {

struct FetchedEntry {
  std::uint64_t index = 0;
  std::string bytes;
  std::optional<Hash> claimedLeafHash;  // what the log says it recorded, if it says
};

struct LogVerifyInput {
  std::string checkpointNote;
  VerifierKey logKey;
  std::vector<FetchedEntry> entries;
  std::optional<std::string> previousNote;             // the auditor's saved checkpoint
  std::optional<std::vector<Hash>> consistencyProof;   // from the previous size to the new one
};

struct LogVerification {
  bool ok = false;
  std::string problem;     // empty when ok
  Checkpoint checkpoint;   // valid when the signature was
  std::uint64_t entriesChecked = 0;
};

LogVerification verifyLog(const LogVerifyInput& input);

// The same checks fed page by page, so an auditor's tool verifies one page
// while it fetches the next and never holds the whole log in memory:
//   LogVerifier verifier(note, key, previous);
//   while (more pages && !verifier.failed()) for (entry : page) verifier.add(...);
//   const LogVerification result = verifier.finish(consistencyProof);
// verifyLog() is exactly this over input.entries.
class LogVerifier {
 public:
  // Checks the checkpoint's signature against `logKey` and the saved previous
  // checkpoint (rollback, split view); failed() tells whether that failed.
  LogVerifier(const std::string& checkpointNote, const VerifierKey& logKey,
              const std::optional<std::string>& previousNote);
  // The next entry as the log returned it. Returns false once something is
  // wrong (the first problem is kept; later entries are ignored).
  bool add(std::uint64_t index, std::string_view bytes, const std::optional<Hash>& claimedLeafHash);
  // After the last entry: completeness, the root, consistency with the saved
  // checkpoint (and the log's consistency proof, when given).
  LogVerification finish(const std::optional<std::vector<Hash>>& consistencyProof);

  bool failed() const { return !problem_.empty(); }
  // The signed checkpoint (valid unless the signature check failed).
  const Checkpoint& checkpoint() const { return result_.checkpoint; }

 private:
  bool fail(std::string problem);

  LogVerification result_;
  std::string problem_;
  std::optional<Checkpoint> previous_;
  CompactRange tree_;
  std::optional<Hash> previousRoot_;
  std::string firstAltered_;  // the first entry whose content does not match its recorded leaf hash
};

}  // namespace nser::audit
