#include "audit/log_verifier.h"

#include "audit/audit_entry.h"
#include "audit/merkle_proof.h"

namespace nser::audit {

LogVerifier::LogVerifier(const std::string& checkpointNote, const VerifierKey& logKey,
                         const std::optional<std::string>& previousNote) {
  try {
    result_.checkpoint = openCheckpoint(checkpointNote, logKey).checkpoint;
  } catch (const CheckpointError& e) {
    fail(e.what());
    return;
  }
  const Checkpoint& checkpoint = result_.checkpoint;
  if (!previousNote) return;
  try {
    previous_ = openCheckpoint(*previousNote, logKey).checkpoint;
  } catch (const CheckpointError& e) {
    fail(std::string("the saved previous checkpoint does not verify: ") + e.what());
    return;
  }
  if (previous_->size > checkpoint.size) {
    fail("rollback: the log's checkpoint has size " + std::to_string(checkpoint.size) +
         " but this auditor already verified size " + std::to_string(previous_->size));
    return;
  }
  if (previous_->size == checkpoint.size && previous_->root != checkpoint.root) {
    fail("split view: two checkpoints of size " + std::to_string(checkpoint.size) + " with different roots (saved " +
         hashToBase64(previous_->root) + ", now " + hashToBase64(checkpoint.root) + ")");
    return;
  }
  if (previous_->size == 0) previousRoot_ = emptyTreeHash();
}

bool LogVerifier::fail(std::string problem) {
  if (problem_.empty()) problem_ = std::move(problem);
  return false;
}

bool LogVerifier::add(std::uint64_t index, std::string_view bytes, const std::optional<Hash>& claimedLeafHash) {
  if (failed()) return false;
  const std::uint64_t expected = tree_.size();
  if (expected >= result_.checkpoint.size) {
    return fail("the log returned more entries than the checkpoint's " + std::to_string(result_.checkpoint.size) +
                " (entry " + std::to_string(index) + ")");
  }
  if (index > expected) {
    return fail("entry " + std::to_string(expected) + " is missing (the log skipped from entry " +
                (expected == 0 ? std::string("start") : std::to_string(expected - 1)) + " to " +
                std::to_string(index) + ")");
  }
  if (index < expected) {
    return fail("entries out of order: entry " + std::to_string(index) + " after entry " +
                std::to_string(expected - 1));
  }
  try {
    checkAuditEntry(bytes);
  } catch (const AuditEntryError& e) {
    return fail("entry " + std::to_string(expected) + " is malformed: " + e.what());
  }
  const Hash leaf = leafHash(bytes);
  if (firstAltered_.empty() && claimedLeafHash && *claimedLeafHash != leaf) {
    firstAltered_ = "entry " + std::to_string(expected) +
                    " does not match the leaf hash the log recorded for it (altered, reordered or replaced)";
  }
  tree_.append(leaf);
  if (previous_ && tree_.size() == previous_->size) previousRoot_ = tree_.root();
  return true;
}

LogVerification LogVerifier::finish(const std::optional<std::vector<Hash>>& consistencyProof) {
  LogVerification result = result_;
  result.entriesChecked = tree_.size();
  const Checkpoint& checkpoint = result.checkpoint;
  auto failed = [&](std::string problem) {
    result.ok = false;
    result.problem = std::move(problem);
    return result;
  };
  if (!problem_.empty()) return failed(problem_);
  if (tree_.size() < checkpoint.size) {
    return failed("entry " + std::to_string(tree_.size()) + " is missing: the log returned " +
                  std::to_string(tree_.size()) + " entries for a checkpoint of size " +
                  std::to_string(checkpoint.size));
  }
  const Hash root = tree_.root();
  if (root != checkpoint.root) {
    std::string problem = "root mismatch: the " + std::to_string(tree_.size()) + " entries hash to " +
                          hashToBase64(root) + " but the signed checkpoint says " + hashToBase64(checkpoint.root);
    if (!firstAltered_.empty()) problem = firstAltered_ + "; " + problem;
    return failed(problem);
  }
  if (!firstAltered_.empty()) return failed(firstAltered_);

  if (previous_ && previous_->size < checkpoint.size) {
    if (previousRoot_ && *previousRoot_ != previous_->root) {
      return failed("consistency failure: the first " + std::to_string(previous_->size) + " entries hash to " +
                    hashToBase64(*previousRoot_) +
                    ", not the root of the checkpoint saved at that size (history rewritten or split view)");
    }
    if (consistencyProof && previous_->size > 0) {
      try {
        verifyConsistency(previous_->size, checkpoint.size, *consistencyProof, previous_->root, checkpoint.root);
      } catch (const ProofError& e) {
        return failed(std::string("consistency failure: the log's consistency proof does not verify: ") + e.what());
      }
    }
  }
  result.ok = true;
  return result;
}

LogVerification verifyLog(const LogVerifyInput& input) {
  LogVerifier verifier(input.checkpointNote, input.logKey, input.previousNote);
  for (const auto& entry : input.entries) {
    if (!verifier.add(entry.index, entry.bytes, entry.claimedLeafHash)) break;
  }
  return verifier.finish(input.consistencyProof);
}

}  // namespace nser::audit
