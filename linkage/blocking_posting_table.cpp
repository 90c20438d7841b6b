#include "linkage/blocking_posting_table.h"

#include <algorithm>
#include <bit>

namespace nser::linkage {
namespace {
constexpr std::size_t npos = static_cast<std::size_t>(-1);
constexpr std::size_t kMinCapacity = 16;
}  // namespace

std::size_t BlockPostingTable::locate(std::uint64_t key) const {
  if (slots_.empty()) return npos;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t i = home(key);; i = (i + 1) & mask) {
    if (slots_[i].count == 0) return npos;
    if (slots_[i].key == key) return i;
  }
}

void BlockPostingTable::reserve(std::size_t blocks) {
  std::size_t needed = std::max(kMinCapacity, std::bit_ceil(blocks + blocks / 3 + 1));
  if (needed > slots_.size()) rehash(needed);
}

void BlockPostingTable::rehash(std::size_t capacity) {
  std::vector<Slot> old = std::move(slots_);
  slots_.assign(capacity, Slot{});
  shift_ = 64 - static_cast<unsigned>(std::countr_zero(capacity));
  const std::size_t mask = capacity - 1;
  for (const Slot& slot : old) {
    if (slot.count == 0) continue;
    std::size_t i = home(slot.key);
    while (slots_[i].count != 0) i = (i + 1) & mask;
    slots_[i] = slot;
  }
}

std::uint32_t BlockPostingTable::newList() {
  if (!freeLists_.empty()) {
    std::uint32_t list = freeLists_.back();
    freeLists_.pop_back();
    return list;
  }
  lists_.emplace_back();
  return static_cast<std::uint32_t>(lists_.size() - 1);
}

void BlockPostingTable::freeList(std::uint32_t list) {
  std::vector<std::uint32_t>().swap(lists_[list]);  // give the memory back, not just the size
  freeLists_.push_back(list);
}

BlockPostingTable::AddResult BlockPostingTable::add(std::uint64_t key, std::uint32_t member, std::uint32_t cap) {
  if ((used_ + 1) * 4 > slots_.size() * 3) rehash(std::max(kMinCapacity, slots_.size() * 2));
  const std::size_t mask = slots_.size() - 1;
  std::size_t i = home(key);
  while (slots_[i].count != 0 && slots_[i].key != key) i = (i + 1) & mask;
  Slot& slot = slots_[i];

  if (slot.count == 0) {
    slot = Slot{key, member, 1};
    ++used_;
    if (cap == 0) {  // a cap of 0 admits nobody; kept total for callers that pass it
      slot.count = 1 | kOversizeBit;
      return {AddOutcome::BecameOversize, 1};
    }
    return {AddOutcome::Stored, 1};
  }
  if (slot.count & kOversizeBit) {
    std::uint32_t size = (slot.count & ~kOversizeBit) + 1;
    slot.count = size | kOversizeBit;
    return {AddOutcome::CountedInOversize, size};
  }
  const std::uint32_t size = slot.count + 1;
  if (size > cap) {
    if (slot.count > 1) freeList(slot.payload);
    slot.payload = 0;
    slot.count = size | kOversizeBit;
    return {AddOutcome::BecameOversize, size};
  }
  if (slot.count == 1) {
    std::uint32_t list = newList();
    lists_[list] = {slot.payload, member};
    slot.payload = list;
  } else {
    lists_[slot.payload].push_back(member);
  }
  slot.count = size;
  return {AddOutcome::Stored, size};
}

BlockPostingTable::RemoveResult BlockPostingTable::remove(std::uint64_t key, std::uint32_t member) {
  const std::size_t i = locate(key);
  if (i == npos) return {RemoveOutcome::NotFound, false};
  Slot& slot = slots_[i];

  if (slot.count & kOversizeBit) {
    // Members of an oversize block are only counted, so membership cannot be checked.
    std::uint32_t size = (slot.count & ~kOversizeBit) - 1;
    if (size == 0) {
      eraseAt(i);
      return {RemoveOutcome::RemovedFromOversize, true};
    }
    slot.count = size | kOversizeBit;
    return {RemoveOutcome::RemovedFromOversize, false};
  }
  if (slot.count == 1) {
    if (slot.payload != member) return {RemoveOutcome::NotFound, false};
    eraseAt(i);
    return {RemoveOutcome::Removed, true};
  }
  auto& list = lists_[slot.payload];
  auto it = std::find(list.begin(), list.end(), member);
  if (it == list.end()) return {RemoveOutcome::NotFound, false};
  *it = list.back();
  list.pop_back();
  if (list.size() == 1) {  // back to an inline singleton
    std::uint32_t remaining = list.front();
    freeList(slot.payload);
    slot.payload = remaining;
  }
  slot.count -= 1;
  return {RemoveOutcome::Removed, false};
}

BlockPostingTable::Block BlockPostingTable::find(std::uint64_t key) const {
  const std::size_t i = locate(key);
  if (i == npos) return {};
  const Slot& slot = slots_[i];
  if (slot.count & kOversizeBit) return {slot.count & ~kOversizeBit, true, {}};
  if (slot.count == 1) return {1, false, std::span<const std::uint32_t>(&slot.payload, 1)};
  return {slot.count, false, std::span<const std::uint32_t>(lists_[slot.payload])};
}

void BlockPostingTable::eraseAt(std::size_t index) {
  // Backward-shift deletion: pull later entries of the probe run into the
  // hole while that keeps each at or after its home slot, so lookups never
  // need tombstones.
  const std::size_t mask = slots_.size() - 1;
  std::size_t hole = index;
  for (std::size_t j = (hole + 1) & mask; slots_[j].count != 0; j = (j + 1) & mask) {
    const std::size_t distanceFromHome = (j - home(slots_[j].key)) & mask;
    const std::size_t distanceFromHole = (j - hole) & mask;
    if (distanceFromHome >= distanceFromHole) {
      slots_[hole] = slots_[j];
      hole = j;
    }
  }
  slots_[hole] = Slot{};
  --used_;
}

std::size_t BlockPostingTable::memoryBytes() const {
  std::size_t bytes = slots_.capacity() * sizeof(Slot) + lists_.capacity() * sizeof(std::vector<std::uint32_t>) +
                      freeLists_.capacity() * sizeof(std::uint32_t);
  for (const auto& list : lists_) bytes += list.capacity() * sizeof(std::uint32_t);
  return bytes;
}

}  // namespace nser::linkage
