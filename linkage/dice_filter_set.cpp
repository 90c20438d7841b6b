#include "linkage/dice_filter_set.h"

#include <algorithm>
#include <cstring>
#include <new>
#include <string>

#include "linkage/dice_kernel.h"

namespace nser::linkage {

namespace {
constexpr std::align_val_t kAlignment{64};
}  // namespace

void DiceFilterSet::AlignedFree::operator()(std::uint64_t* p) const { ::operator delete[](p, kAlignment); }

DiceFilterSet::DiceFilterSet(std::size_t bitsPerFilter) : words_(bitsPerFilter / 64) {
  if (bitsPerFilter == 0 || bitsPerFilter % 64 != 0) {
    throw DiceConfigError("Dice filter set: filter length must be a positive multiple of 64 bits, got " +
                          std::to_string(bitsPerFilter));
  }
}

DiceFilterSet DiceFilterSet::fromBytes(std::span<const std::uint8_t> bytes, std::size_t bitsPerFilter) {
  DiceFilterSet set(bitsPerFilter);
  const std::size_t filterBytes = set.words_ * 8;
  if (bytes.size() % filterBytes != 0) {
    throw DiceConfigError("Dice filter set: " + std::to_string(bytes.size()) + " bytes is not a multiple of the " +
                          std::to_string(filterBytes) + "-byte filter size");
  }
  const std::size_t count = bytes.size() / filterBytes;
  set.reserve(count);
  std::vector<std::uint64_t> filter(set.words_);
  for (std::size_t i = 0; i < count; ++i) {
    // Little-endian words: memcpy is exact on x86-64, the only target.
    std::memcpy(filter.data(), bytes.data() + i * filterBytes, filterBytes);
    set.add(filter);
  }
  return set;
}

std::vector<std::uint8_t> DiceFilterSet::toBytes() const {
  std::vector<std::uint8_t> bytes(size() * words_ * 8);
  if (!bytes.empty()) std::memcpy(bytes.data(), data_.get(), bytes.size());
  return bytes;
}

void DiceFilterSet::reserve(std::size_t filters) {
  if (filters > capacity_) grow(filters);
}

void DiceFilterSet::grow(std::size_t capacityFilters) {
  std::unique_ptr<std::uint64_t[], AlignedFree> next(
      static_cast<std::uint64_t*>(::operator new[](capacityFilters * words_ * 8, kAlignment)));
  if (size() != 0) std::memcpy(next.get(), data_.get(), size() * words_ * 8);
  data_ = std::move(next);
  capacity_ = capacityFilters;
  popcounts_.reserve(capacityFilters);
}

void DiceFilterSet::add(std::span<const std::uint64_t> filter) {
  if (filter.size() != words_) {
    throw DiceConfigError("Dice filter set: expected a " + std::to_string(words_ * 64) + "-bit filter, got " +
                          std::to_string(filter.size() * 64) + " bits");
  }
  if (size() == capacity_) grow(std::max<std::size_t>(16, capacity_ * 2));
  std::memcpy(data_.get() + size() * words_, filter.data(), words_ * 8);
  popcounts_.push_back(filterPopcount(filter));
}

}  // namespace nser::linkage
