#include "audit/log_verifier.h"

#include "audit/audit_entry.h"
#include "audit/compact_range.h"
#include "audit/merkle_proof.h"

namespace nser::audit {
namespace {

LogVerification fail(LogVerification result, std::string problem) {
  result.ok = false;
  result.problem = std::move(problem);
  return result;
}

}  // namespace

LogVerification verifyLog(const LogVerifyInput& input) {
  LogVerification result;
  try {
    result.checkpoint = openCheckpoint(input.checkpointNote, input.logKey).checkpoint;
  } catch (const CheckpointError& e) {
    return fail(result, e.what());
  }
  const Checkpoint& checkpoint = result.checkpoint;

  std::optional<Checkpoint> previous;
  if (input.previousNote) {
    try {
      previous = openCheckpoint(*input.previousNote, input.logKey).checkpoint;
    } catch (const CheckpointError& e) {
      return fail(result, std::string("the saved previous checkpoint does not verify: ") + e.what());
    }
    if (previous->size > checkpoint.size) {
      return fail(result, "rollback: the log's checkpoint has size " + std::to_string(checkpoint.size) +
                              " but this auditor already verified size " + std::to_string(previous->size));
    }
    if (previous->size == checkpoint.size && previous->root != checkpoint.root) {
      return fail(result, "split view: two checkpoints of size " + std::to_string(checkpoint.size) +
                              " with different roots (saved " + hashToBase64(previous->root) + ", now " +
                              hashToBase64(checkpoint.root) + ")");
    }
  }

  CompactRange tree;
  std::optional<Hash> previousRoot;
  std::string firstAltered;  // the first entry whose content does not match its recorded leaf hash
  if (previous && previous->size == 0) previousRoot = emptyTreeHash();
  for (const auto& entry : input.entries) {
    const std::uint64_t expected = tree.size();
    if (expected >= checkpoint.size) {
      return fail(result, "the log returned more entries than the checkpoint's " + std::to_string(checkpoint.size) +
                              " (entry " + std::to_string(entry.index) + ")");
    }
    if (entry.index > expected) {
      return fail(result, "entry " + std::to_string(expected) + " is missing (the log skipped from entry " +
                              (expected == 0 ? std::string("start") : std::to_string(expected - 1)) + " to " +
                              std::to_string(entry.index) + ")");
    }
    if (entry.index < expected) {
      return fail(result, "entries out of order: entry " + std::to_string(entry.index) + " after entry " +
                              std::to_string(expected - 1));
    }
    try {
      (void)decodeAuditEntry(entry.bytes);
    } catch (const AuditEntryError& e) {
      return fail(result, "entry " + std::to_string(expected) + " is malformed: " + e.what());
    }
    const Hash leaf = leafHash(entry.bytes);
    if (firstAltered.empty() && entry.claimedLeafHash && *entry.claimedLeafHash != leaf) {
      firstAltered = "entry " + std::to_string(expected) +
                     " does not match the leaf hash the log recorded for it (altered, reordered or replaced)";
    }
    tree.append(leaf);
    if (previous && tree.size() == previous->size) previousRoot = tree.root();
  }
  result.entriesChecked = tree.size();
  if (tree.size() < checkpoint.size) {
    return fail(result, "entry " + std::to_string(tree.size()) + " is missing: the log returned " +
                            std::to_string(tree.size()) + " entries for a checkpoint of size " +
                            std::to_string(checkpoint.size));
  }
  const Hash root = tree.root();
  if (root != checkpoint.root) {
    std::string problem = "root mismatch: the " + std::to_string(tree.size()) + " entries hash to " +
                          hashToBase64(root) + " but the signed checkpoint says " + hashToBase64(checkpoint.root);
    if (!firstAltered.empty()) problem = firstAltered + "; " + problem;
    return fail(result, problem);
  }
  if (!firstAltered.empty()) return fail(result, firstAltered);

  if (previous && previous->size < checkpoint.size) {
    if (previousRoot && *previousRoot != previous->root) {
      return fail(result, "consistency failure: the first " + std::to_string(previous->size) +
                              " entries hash to " + hashToBase64(*previousRoot) +
                              ", not the root of the checkpoint saved at that size (history rewritten or split view)");
    }
    if (input.consistencyProof && previous->size > 0) {
      try {
        verifyConsistency(previous->size, checkpoint.size, *input.consistencyProof, previous->root, checkpoint.root);
      } catch (const ProofError& e) {
        return fail(result, std::string("consistency failure: the log's consistency proof does not verify: ") +
                                e.what());
      }
    }
  }
  result.ok = true;
  return result;
}

}  // namespace nser::audit
