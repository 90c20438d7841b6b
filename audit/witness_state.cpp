#include "audit/witness_state.h"

#include <fstream>
#include <sstream>

#include "audit/cosignature.h"
#include "audit/merkle_proof.h"

namespace nser::audit {

std::string_view outcomeName(WitnessObservation::Outcome outcome) {
  switch (outcome) {
    case WitnessObservation::Outcome::Cosigned: return "cosigned";
    case WitnessObservation::Outcome::SplitView: return "split_view";
    case WitnessObservation::Outcome::MissingProof: return "missing_proof";
    case WitnessObservation::Outcome::Inconsistent: return "inconsistent";
    case WitnessObservation::Outcome::Invalid: return "invalid";
  }
  return "invalid";
}

WitnessState::WitnessState(std::filesystem::path directory) : file_(std::move(directory) / "checkpoint") {
  std::filesystem::create_directories(file_.parent_path());
}

std::optional<std::string> WitnessState::lastNote() const {
  std::ifstream in(file_, std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::optional<Checkpoint> WitnessState::lastCheckpoint() const {
  const auto note = lastNote();
  if (!note) return std::nullopt;
  try {
    return parseCheckpoint(parseNote(*note).body);
  } catch (const std::exception& e) {
    throw CheckpointError(file_.string() + ": " + e.what());
  }
}

void WitnessState::save(const std::string& noteText) const {
  const auto temporary = file_.string() + ".tmp";
  {
    std::ofstream out(temporary, std::ios::binary | std::ios::trunc);
    out << noteText;
    out.flush();
    if (!out) throw std::runtime_error(temporary + ": cannot write the witness state");
  }
  std::filesystem::rename(temporary, file_);
}

WitnessObservation WitnessState::observe(std::string_view noteText,
                                         const std::optional<std::vector<Hash>>& consistencyProof,
                                         const VerifierKey& logKey, std::string_view witnessName,
                                         const pki::SigningKey& witnessKey, std::uint64_t nowSeconds) {
  using Outcome = WitnessObservation::Outcome;
  WitnessObservation result;
  VerifiedCheckpoint opened;
  try {
    opened = openCheckpoint(noteText, logKey);
  } catch (const std::exception& e) {
    result.message = e.what();
    return result;
  }
  result.checkpoint = opened.checkpoint;
  const auto previous = lastCheckpoint();
  if (previous) {
    const auto& now = opened.checkpoint;
    if (now.size < previous->size) {
      result.outcome = Outcome::Inconsistent;
      result.message = "rollback: checkpoint of size " + std::to_string(now.size) + " after this witness verified " +
                       std::to_string(previous->size);
      return result;
    }
    if (now.size == previous->size && now.root != previous->root) {
      result.outcome = Outcome::SplitView;
      result.message = "split view: two checkpoints of size " + std::to_string(now.size) + " with different roots";
      return result;
    }
    // The empty tree is a prefix of every tree: nothing to prove from size 0.
    if (now.size > previous->size && previous->size > 0) {
      if (!consistencyProof) {
        result.outcome = Outcome::MissingProof;
        result.message = "missing consistency proof from size " + std::to_string(previous->size) + " to " +
                         std::to_string(now.size) + " (possible split view)";
        return result;
      }
      try {
        verifyConsistency(previous->size, now.size, *consistencyProof, previous->root, now.root);
      } catch (const ProofError& e) {
        result.outcome = Outcome::SplitView;
        result.message = "split view: the checkpoint of size " + std::to_string(now.size) +
                         " is not consistent with the one verified at size " + std::to_string(previous->size) + ": " +
                         e.what();
        return result;
      }
    }
  }
  result.cosignature = cosign(opened.note.body, witnessName, witnessKey, nowSeconds);
  result.outcome = Outcome::Cosigned;
  result.message = "cosigned size " + std::to_string(opened.checkpoint.size);
  // Save only the log's own signature: cosignatures of others are not ours to vouch for.
  SignedNote own;
  own.body = opened.note.body;
  for (const auto& signature : opened.note.signatures) {
    if (signature.name == logKey.name && signature.keyId == logKey.keyId) own.signatures.push_back(signature);
  }
  save(formatNote(own));
  return result;
}

}  // namespace nser::audit
