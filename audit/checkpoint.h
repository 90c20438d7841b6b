// Checkpoint: the body of a C2SP tlog-checkpoint,
//   <origin>\n<tree size, decimal>\n<base64 root hash>\n[extension lines\n]
// signed as a signed note (signed_note.h) by the log's Ed25519 key, whose
// name is the origin. Parsing throws CheckpointError naming the line.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "audit/merkle_hash.h"
#include "audit/signed_note.h"

namespace nser::audit {

class CheckpointError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct Checkpoint {
  std::string origin;
  std::uint64_t size = 0;
  Hash root{};
  std::vector<std::string> extensions;
  bool operator==(const Checkpoint&) const = default;
};

std::string formatCheckpoint(const Checkpoint& checkpoint);
Checkpoint parseCheckpoint(std::string_view body);

// The signed note of `checkpoint`, signed by `key` under the origin's name.
std::string signCheckpoint(const Checkpoint& checkpoint, const pki::SigningKey& key);

// Parses a signed checkpoint and checks the log's signature by `logKey`;
// throws CheckpointError ("signature invalid", or the malformed part).
struct VerifiedCheckpoint {
  Checkpoint checkpoint;
  SignedNote note;
};
VerifiedCheckpoint openCheckpoint(std::string_view noteText, const VerifierKey& logKey);

}  // namespace nser::audit
