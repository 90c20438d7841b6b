// Merkle inclusion and consistency proofs (RFC 9162 §2.1.3 and §2.1.4), on
// both sides:
//  - verification, which trusts nothing but the hashes given to it. Failures
//    throw ProofError saying what is wrong (index beyond the tree, wrong proof
//    length, root mismatch); the behaviour is pinned by the transparency-dev
//    test vectors (../shared/testvectors/rfc6962);
//  - construction: which subtree hashes a proof consists of, as ranges of
//    leaves, so a store can read them (RFC 6962 §2.1.1 PATH and §2.1.2
//    SUBPROOF). Each range splits into at most log2(n) perfect subtrees.
// Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <vector>

#include "audit/compact_range.h"
#include "audit/merkle_hash.h"

namespace nser::audit {

class ProofError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Verifies that `leaf` is entry `index` of the tree of `size` leaves whose root is `root`.
void verifyInclusion(std::uint64_t index, std::uint64_t size, const Hash& leaf, const std::vector<Hash>& proof,
                     const Hash& root);
// The root the proof implies (throws on a malformed proof: index >= size, wrong length).
Hash rootFromInclusionProof(std::uint64_t index, std::uint64_t size, const Hash& leaf, const std::vector<Hash>& proof);

// Verifies that the tree of `size1` leaves with `root1` is a prefix of the one of `size2` with `root2`.
// size1 == 0 is refused (the empty tree is a prefix of every tree; there is nothing to prove).
void verifyConsistency(std::uint64_t size1, std::uint64_t size2, const std::vector<Hash>& proof, const Hash& root1,
                       const Hash& root2);

// Leaves [begin, end) of the tree.
struct LeafRange {
  std::uint64_t begin = 0;
  std::uint64_t end = 0;
};

// The ranges whose tree hashes, in order, form the inclusion proof of `index`
// in a tree of `size` (PATH), and the consistency proof from `size1` to `size2` (PROOF).
std::vector<LeafRange> inclusionProofRanges(std::uint64_t index, std::uint64_t size);
std::vector<LeafRange> consistencyProofRanges(std::uint64_t size1, std::uint64_t size2);

// The perfect subtrees that make up a range that starts at a multiple of the
// largest power of two not above its length (every range of a proof does),
// left to right. Its tree hash folds them right to left: H(n0, H(n1, ... nk)).
std::vector<NodeId> rangeNodes(const LeafRange& range);
Hash foldRangeHashes(const std::vector<Hash>& leftToRight);

}  // namespace nser::audit
