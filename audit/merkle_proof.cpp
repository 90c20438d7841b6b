#include "audit/merkle_proof.h"

#include <bit>
#include <string>

namespace nser::audit {
namespace {

// The inclusion proof of `index` in a tree of `size` has `inner` nodes below
// the point where the path meets the right edge and `border` nodes on it.
struct Decomposition {
  unsigned inner;
  unsigned border;
};

Decomposition decompose(std::uint64_t index, std::uint64_t size) {
  const auto inner = static_cast<unsigned>(std::bit_width(index ^ (size - 1)));
  const auto border = static_cast<unsigned>(std::popcount(index >> inner));
  return {inner, border};
}

Hash chainInner(Hash seed, const std::vector<Hash>& proof, std::size_t from, std::size_t count, std::uint64_t index) {
  for (std::size_t i = 0; i < count; ++i) {
    const Hash& sibling = proof[from + i];
    seed = ((index >> i) & 1U) == 0 ? nodeHash(seed, sibling) : nodeHash(sibling, seed);
  }
  return seed;
}

Hash chainInnerRight(Hash seed, const std::vector<Hash>& proof, std::size_t from, std::size_t count,
                     std::uint64_t index) {
  for (std::size_t i = 0; i < count; ++i) {
    if (((index >> i) & 1U) != 0) seed = nodeHash(proof[from + i], seed);
  }
  return seed;
}

Hash chainBorderRight(Hash seed, const std::vector<Hash>& proof, std::size_t from) {
  for (std::size_t i = from; i < proof.size(); ++i) seed = nodeHash(proof[i], seed);
  return seed;
}

std::uint64_t largestPowerOfTwoBelow(std::uint64_t n) {  // n >= 2
  return std::bit_floor(n - 1);
}

void pathRanges(std::uint64_t m, std::uint64_t begin, std::uint64_t end, std::vector<LeafRange>& out) {
  const std::uint64_t n = end - begin;
  if (n <= 1) return;
  const std::uint64_t k = largestPowerOfTwoBelow(n);
  if (m < k) {
    pathRanges(m, begin, begin + k, out);
    out.push_back({begin + k, end});
  } else {
    pathRanges(m - k, begin + k, end, out);
    out.push_back({begin, begin + k});
  }
}

void subproofRanges(std::uint64_t m, std::uint64_t begin, std::uint64_t end, bool complete,
                    std::vector<LeafRange>& out) {
  const std::uint64_t n = end - begin;
  if (m == n) {
    if (!complete) out.push_back({begin, end});
    return;
  }
  const std::uint64_t k = largestPowerOfTwoBelow(n);
  if (m <= k) {
    subproofRanges(m, begin, begin + k, complete, out);
    out.push_back({begin + k, end});
  } else {
    subproofRanges(m - k, begin + k, end, false, out);
    out.push_back({begin, begin + k});
  }
}

std::string short64(const Hash& hash) { return hashToBase64(hash); }

}  // namespace

Hash rootFromInclusionProof(std::uint64_t index, std::uint64_t size, const Hash& leaf, const std::vector<Hash>& proof) {
  if (index >= size) {
    throw ProofError("index " + std::to_string(index) + " is beyond the tree of size " + std::to_string(size));
  }
  const auto [inner, border] = decompose(index, size);
  if (proof.size() != static_cast<std::size_t>(inner) + border) {
    throw ProofError("inclusion proof has " + std::to_string(proof.size()) + " hashes, expected " +
                     std::to_string(inner + border) + " for index " + std::to_string(index) + " in size " +
                     std::to_string(size));
  }
  const Hash partial = chainInner(leaf, proof, 0, inner, index);
  return chainBorderRight(partial, proof, inner);
}

void verifyInclusion(std::uint64_t index, std::uint64_t size, const Hash& leaf, const std::vector<Hash>& proof,
                     const Hash& root) {
  const Hash computed = rootFromInclusionProof(index, size, leaf, proof);
  if (computed != root) {
    throw ProofError("inclusion proof for index " + std::to_string(index) + " leads to root " + short64(computed) +
                     ", not the expected " + short64(root));
  }
}

void verifyConsistency(std::uint64_t size1, std::uint64_t size2, const std::vector<Hash>& proof, const Hash& root1,
                       const Hash& root2) {
  if (size2 < size1) {
    throw ProofError("second size " + std::to_string(size2) + " is smaller than the first " + std::to_string(size1));
  }
  if (size1 == 0) {
    // Every tree extends the empty one: a proof from it proves nothing, and
    // the vectors require it to be refused (callers skip the check instead).
    throw ProofError("a consistency proof from the empty tree is meaningless");
  }
  if (size1 == size2) {
    if (!proof.empty()) throw ProofError("equal sizes need an empty consistency proof");
    if (root1 != root2) throw ProofError("two trees of size " + std::to_string(size1) + " have different roots");
    return;
  }
  if (proof.empty()) throw ProofError("empty consistency proof");

  auto [inner, border] = decompose(size1 - 1, size2);
  const auto shift = static_cast<unsigned>(std::countr_zero(size1));
  inner -= shift;  // shift < inner when size1 < size2
  // The proof starts with the hash of the subtree of size 2^shift ending at
  // size1, unless size1 is that very power of two (then it is root1).
  Hash seed = proof[0];
  std::size_t start = 1;
  if (size1 == (std::uint64_t{1} << shift)) {
    seed = root1;
    start = 0;
  }
  if (proof.size() != start + inner + border) {
    throw ProofError("consistency proof has " + std::to_string(proof.size()) + " hashes, expected " +
                     std::to_string(start + inner + border) + " from size " + std::to_string(size1) + " to " +
                     std::to_string(size2));
  }
  const std::uint64_t mask = (size1 - 1) >> shift;
  Hash hash1 = chainInnerRight(seed, proof, start, inner, mask);
  hash1 = chainBorderRight(hash1, proof, start + inner);
  if (hash1 != root1) {
    throw ProofError("consistency proof does not lead to the first root (size " + std::to_string(size1) + ")");
  }
  Hash hash2 = chainInner(seed, proof, start, inner, mask);
  hash2 = chainBorderRight(hash2, proof, start + inner);
  if (hash2 != root2) {
    throw ProofError("consistency proof does not lead to the second root (size " + std::to_string(size2) + ")");
  }
}

std::vector<LeafRange> inclusionProofRanges(std::uint64_t index, std::uint64_t size) {
  if (index >= size) {
    throw ProofError("index " + std::to_string(index) + " is beyond the tree of size " + std::to_string(size));
  }
  std::vector<LeafRange> out;
  pathRanges(index, 0, size, out);
  return out;
}

std::vector<LeafRange> consistencyProofRanges(std::uint64_t size1, std::uint64_t size2) {
  if (size1 > size2) {
    throw ProofError("first size " + std::to_string(size1) + " is larger than the second " + std::to_string(size2));
  }
  std::vector<LeafRange> out;
  if (size1 == 0 || size1 == size2) return out;
  subproofRanges(size1, 0, size2, true, out);
  return out;
}

std::vector<NodeId> rangeNodes(const LeafRange& range) {
  std::vector<NodeId> nodes;
  std::uint64_t position = range.begin;
  std::uint64_t remaining = range.end - range.begin;
  while (remaining != 0) {
    const auto level = static_cast<unsigned>(std::bit_width(remaining) - 1);
    nodes.push_back(NodeId{level, position >> level});
    position += std::uint64_t{1} << level;
    remaining -= std::uint64_t{1} << level;
  }
  return nodes;
}

Hash foldRangeHashes(const std::vector<Hash>& leftToRight) {
  if (leftToRight.empty()) return emptyTreeHash();
  Hash result = leftToRight.back();
  for (std::size_t i = leftToRight.size() - 1; i-- > 0;) result = nodeHash(leftToRight[i], result);
  return result;
}

}  // namespace nser::audit
