// CompactRange: the right edge of a Merkle tree being built leaf by leaf —
// one hash per set bit of the tree size, the root of each perfect subtree on
// the edge (RFC 9162 §2.1.1 hashing). Appending a leaf creates the perfect
// subtrees it completes; the tree's root folds the edge right to left. This is
// how the log keeps its root current in O(log n) memory and how a verifier
// recomputes a root from a stream of entries in O(n) time.
// Not thread-safe; a value type.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "audit/merkle_hash.h"

namespace nser::audit {

// A perfect subtree: leaves [index << level, (index + 1) << level).
struct NodeId {
  unsigned level = 0;
  std::uint64_t index = 0;
  bool operator==(const NodeId&) const = default;
};

class CompactRange {
 public:
  CompactRange() = default;
  // The edge of a tree of `size` leaves from its perfect subtrees, one per set
  // bit of `size` (lowest level first), as `edgeNodes(size)` names them.
  CompactRange(std::uint64_t size, std::vector<Hash> edgeHashesLowestFirst);

  // Adds the next leaf; `onNode` (if set) sees every perfect subtree this
  // completes, the leaf itself first, in increasing level.
  void append(const Hash& leaf, const std::function<void(const NodeId&, const Hash&)>& onNode = {});

  std::uint64_t size() const { return size_; }
  Hash root() const;

  // The perfect subtrees on the edge of a tree of `size` leaves, lowest level first.
  static std::vector<NodeId> edgeNodes(std::uint64_t size);

 private:
  std::uint64_t size_ = 0;
  std::vector<Hash> byLevel_;  // byLevel_[l] valid when bit l of size_ is set
};

}  // namespace nser::audit
