// BlockPostingTable: block key (a 64-bit hash) -> ids of the records in that
// block, built for tens of millions of mostly tiny blocks.
//
// Layout: one open-addressing table (linear probing, backward-shift deletion,
// at most 3/4 full) of 16-byte slots {key, payload, count}. A block with one
// member keeps it inline in the slot (most LSH band keys and CNIC deletion
// keys are singletons), a larger block keeps its members in a separate list.
//
// Oversize rule: adding a member to a block already holding `cap` members
// marks the block oversize, frees its members and from then on only counts
// them. An oversize block stays oversize until it empties (members cannot be
// recovered once freed), so the outcome of a batch build does not depend on
// insertion order: a block is oversize iff more than `cap` members were added.
//
// The caller guarantees a (key, member) pair is added at most once and only
// removed after it was added. Not thread-safe for writes; concurrent const
// calls are safe.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace nser::linkage {

class BlockPostingTable {
 public:
  enum class AddOutcome { Stored, BecameOversize, CountedInOversize };
  enum class RemoveOutcome { Removed, RemovedFromOversize, NotFound };

  struct AddResult {
    AddOutcome outcome;
    std::uint32_t blockSize;  // members after the add (counted ones too)
  };
  struct RemoveResult {
    RemoveOutcome outcome;
    bool blockDeleted;  // the block had no member left and is gone
  };
  // A view of one block; `members` is empty for an oversize or absent block
  // and valid until the next add/remove.
  struct Block {
    std::uint32_t size = 0;  // 0: no such block
    bool oversize = false;
    std::span<const std::uint32_t> members;
  };

  AddResult add(std::uint64_t key, std::uint32_t member, std::uint32_t cap);
  RemoveResult remove(std::uint64_t key, std::uint32_t member);
  Block find(std::uint64_t key) const;
  // Hints the CPU to load the key's home slot: callers with many keys
  // prefetch them all first, so the cache misses overlap instead of queueing.
  void prefetch(std::uint64_t key) const {
    if (!slots_.empty()) __builtin_prefetch(&slots_[home(key)]);
  }

  // Sizes the table for `blocks` distinct keys without rehashing on the way.
  void reserve(std::size_t blocks);
  std::size_t blocks() const { return used_; }
  // Bytes held by the slots and member lists (capacity, not just size).
  std::size_t memoryBytes() const;

 private:
  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t payload = 0;  // the member (count 1) or a list index (count > 1, not oversize)
    std::uint32_t count = 0;    // 0: empty slot; top bit: oversize
  };
  static constexpr std::uint32_t kOversizeBit = 1u << 31;

  std::size_t home(std::uint64_t key) const { return static_cast<std::size_t>(key >> shift_); }
  std::size_t locate(std::uint64_t key) const;  // slot index or npos
  void rehash(std::size_t capacity);
  void eraseAt(std::size_t index);
  std::uint32_t newList();
  void freeList(std::uint32_t list);

  std::vector<Slot> slots_;
  std::size_t used_ = 0;
  unsigned shift_ = 64;
  std::vector<std::vector<std::uint32_t>> lists_;
  std::vector<std::uint32_t> freeLists_;
};

}  // namespace nser::linkage
