#include "linkage/blocking_hamming_lsh.h"

#include <algorithm>
#include <numeric>
#include <string>

#include "linkage/blocking_key_hash.h"

namespace nser::linkage {
namespace {

// splitmix64: a tiny, fully specified generator, so positions do not depend
// on the standard library's distribution implementations.
class PositionStream {
 public:
  explicit PositionStream(std::uint64_t seed) : state_(seed) {}
  std::uint64_t next() {
    state_ += 0x9e3779b97f4a7c15ULL;
    return mixBlockKey(state_ - 0x9e3779b97f4a7c15ULL);
  }
  // Uniform enough in [0, bound): bound <= 2^24, so the modulo bias is below 2^-40.
  std::uint32_t below(std::uint32_t bound) { return static_cast<std::uint32_t>(next() % bound); }

 private:
  std::uint64_t state_;
};

}  // namespace

HammingLsh::HammingLsh(const HammingLshSettings& settings, std::size_t filterBits)
    : filterBits_(filterBits), tables_(settings.tables), bitsPerTable_(settings.bitsPerTable) {
  if (filterBits == 0 || filterBits % 64 != 0 || filterBits > (1u << 24)) {
    throw BlockingConfigError("hamming_lsh: filter length must be a positive multiple of 64 bits, got " +
                              std::to_string(filterBits));
  }
  if (tables_ < 1) throw BlockingConfigError("hamming_lsh: tables must be at least 1");
  if (bitsPerTable_ < 1 || bitsPerTable_ > 64 || bitsPerTable_ > filterBits) {
    throw BlockingConfigError("hamming_lsh: bits_per_table must be between 1 and min(64, filter bits), got " +
                              std::to_string(bitsPerTable_));
  }
  PositionStream stream(settings.seed);
  std::vector<std::uint32_t> pool(filterBits);
  positions_.reserve(static_cast<std::size_t>(tables_) * bitsPerTable_);
  for (std::uint32_t table = 0; table < tables_; ++table) {
    std::iota(pool.begin(), pool.end(), 0u);
    auto n = static_cast<std::uint32_t>(filterBits);
    for (std::uint32_t j = 0; j < bitsPerTable_; ++j) {
      std::uint32_t pick = j + stream.below(n - j);
      std::swap(pool[j], pool[pick]);
    }
    std::sort(pool.begin(), pool.begin() + bitsPerTable_);  // ascending: reads walk the filter forwards
    positions_.insert(positions_.end(), pool.begin(), pool.begin() + bitsPerTable_);
  }
}

std::span<const std::uint32_t> HammingLsh::positions(std::uint32_t table) const {
  return std::span<const std::uint32_t>(positions_).subspan(static_cast<std::size_t>(table) * bitsPerTable_,
                                                             bitsPerTable_);
}

std::uint64_t HammingLsh::sample(std::span<const std::uint64_t> filter, std::uint32_t table) const {
  std::uint64_t bits = 0;
  const std::uint32_t* p = positions_.data() + static_cast<std::size_t>(table) * bitsPerTable_;
  for (std::uint32_t j = 0; j < bitsPerTable_; ++j) {
    bits |= ((filter[p[j] >> 6] >> (p[j] & 63)) & 1u) << j;
  }
  return bits;
}

bool HammingLsh::appendBandKeys(std::span<const std::uint64_t> filter, std::uint64_t salt,
                                std::vector<std::uint64_t>& out) const {
  if (filter.size() * 64 != filterBits_) return false;
  for (std::uint32_t table = 0; table < tables_; ++table) {
    out.push_back(combineBlockKey(combineBlockKey(salt, table), sample(filter, table)));
  }
  return true;
}

}  // namespace nser::linkage
