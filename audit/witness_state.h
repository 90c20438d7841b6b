// WitnessState: what a witness remembers (the last checkpoint it verified, as
// the signed note, in <directory>/checkpoint) and its judgement of each new
// checkpoint of the log it watches:
//   - signature by the pinned log key, else Invalid;
//   - the first checkpoint ever seen is trusted (trust on first use);
//   - same size and same root: cosign again; same size, other root: SplitView;
//   - smaller: Inconsistent (rollback);
//   - larger: needs a consistency proof from the saved size (MissingProof
//     otherwise, which is reported as a possible split view) that verifies
//     (SplitView otherwise).
// Only a cosigned checkpoint replaces the saved one (written atomically).
// Not thread-safe: one witness process per directory.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "audit/checkpoint.h"
#include "audit/signed_note.h"

namespace nser::audit {

struct WitnessObservation {
  enum class Outcome { Cosigned, SplitView, MissingProof, Inconsistent, Invalid };
  Outcome outcome = Outcome::Invalid;
  std::string message;
  Checkpoint checkpoint;
  std::optional<NoteSignature> cosignature;  // when Cosigned
};

std::string_view outcomeName(WitnessObservation::Outcome outcome);

class WitnessState {
 public:
  explicit WitnessState(std::filesystem::path directory);

  std::optional<std::string> lastNote() const;
  // The saved checkpoint (it was verified when it was saved).
  std::optional<Checkpoint> lastCheckpoint() const;

  WitnessObservation observe(std::string_view noteText, const std::optional<std::vector<Hash>>& consistencyProof,
                             const VerifierKey& logKey, std::string_view witnessName,
                             const pki::SigningKey& witnessKey, std::uint64_t nowSeconds);

 private:
  void save(const std::string& noteText) const;
  std::filesystem::path file_;
};

}  // namespace nser::audit
