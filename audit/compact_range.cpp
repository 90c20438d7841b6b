#include "audit/compact_range.h"

#include <stdexcept>

namespace nser::audit {

CompactRange::CompactRange(std::uint64_t size, std::vector<Hash> edgeHashesLowestFirst) : size_(size) {
  byLevel_.resize(64);
  std::size_t next = 0;
  for (unsigned level = 0; level < 64; ++level) {
    if (((size >> level) & 1U) == 0) continue;
    if (next >= edgeHashesLowestFirst.size()) throw std::invalid_argument("compact range: too few edge hashes");
    byLevel_[level] = edgeHashesLowestFirst[next++];
  }
  if (next != edgeHashesLowestFirst.size()) throw std::invalid_argument("compact range: too many edge hashes");
}

void CompactRange::append(const Hash& leaf, const std::function<void(const NodeId&, const Hash&)>& onNode) {
  if (byLevel_.empty()) byLevel_.resize(64);
  Hash current = leaf;
  unsigned level = 0;
  if (onNode) onNode(NodeId{0, size_}, current);
  // Each set low bit of the old size is a left sibling waiting for this subtree.
  while (((size_ >> level) & 1U) != 0) {
    current = nodeHash(byLevel_[level], current);
    ++level;
    if (onNode) onNode(NodeId{level, size_ >> level}, current);
  }
  byLevel_[level] = current;
  ++size_;
}

Hash CompactRange::root() const {
  if (size_ == 0) return emptyTreeHash();
  bool have = false;
  Hash root{};
  for (unsigned level = 0; level < 64; ++level) {
    if (((size_ >> level) & 1U) == 0) continue;
    root = have ? nodeHash(byLevel_[level], root) : byLevel_[level];
    have = true;
  }
  return root;
}

std::vector<NodeId> CompactRange::edgeNodes(std::uint64_t size) {
  std::vector<NodeId> nodes;
  for (unsigned level = 0; level < 64; ++level) {
    if (((size >> level) & 1U) != 0) nodes.push_back(NodeId{level, (size >> level) - 1});
  }
  return nodes;
}

}  // namespace nser::audit
