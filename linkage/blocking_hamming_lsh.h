// Bit-sampling LSH for Hamming distance on Bloom filters (Indyk-Motwani).
//
// Table t samples k fixed bit positions; a filter's band key in table t is
// those k bits. Two filters at Hamming distance h out of n bits agree on one
// sampled bit with probability 1 - h/n, so they share table t's band key with
// probability p = (1 - h/n)^k and at least one of L tables with
// 1 - (1 - p)^L. Near-duplicates collide often, unrelated filters rarely.
//
// Positions are a pure function of (seed, filterBits, tables, k): a
// splitmix64 stream drives a partial Fisher-Yates shuffle per table, so every
// process with the same settings samples the same bits. Immutable and
// thread-safe once constructed.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "linkage/blocking_config.h"

namespace nser::linkage {

class HammingLsh {
 public:
  // Throws BlockingConfigError unless filterBits is a positive multiple of 64,
  // tables is at least 1 and bitsPerTable is in [1, min(64, filterBits)].
  HammingLsh(const HammingLshSettings& settings, std::size_t filterBits);

  std::size_t filterBits() const { return filterBits_; }
  std::uint32_t tables() const { return tables_; }
  std::uint32_t bitsPerTable() const { return bitsPerTable_; }

  // Table t's sampled positions, ascending.
  std::span<const std::uint32_t> positions(std::uint32_t table) const;

  // Table t's sampled bits packed into a word: bit j is the filter bit at
  // positions(t)[j]. `filter` must have filterBits() bits.
  std::uint64_t sample(std::span<const std::uint64_t> filter, std::uint32_t table) const;

  // Appends one band key per table, mixed with `salt` and the table number
  // so tables never share keys. Returns false and appends nothing when the
  // filter does not have filterBits() bits (a data problem, not thrown).
  bool appendBandKeys(std::span<const std::uint64_t> filter, std::uint64_t salt,
                      std::vector<std::uint64_t>& out) const;

 private:
  std::size_t filterBits_;
  std::uint32_t tables_;
  std::uint32_t bitsPerTable_;
  std::vector<std::uint32_t> positions_;  // tables_ * bitsPerTable_, table-major
};

}  // namespace nser::linkage
