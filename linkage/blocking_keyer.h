// BlockingKeyer: turns one EncodedRecord into its block keys under a
// BlockingConfig (every strategy's keys, each salted by the strategy's
// position so strategies never share keys). Keys are 64-bit hashes.
//
// Data problems are reported in the result, not thrown: a CLK of the wrong
// length (or none) gets no LSH keys, and a record with more token
// combinations than a strategy allows is truncated; both are flagged so the
// index can count them. Immutable and thread-safe once constructed.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "linkage/blocking_config.h"
#include "linkage/blocking_hamming_lsh.h"
#include "linkage/encoded_record.h"

namespace nser::linkage {

struct BlockingKey {
  std::uint64_t hash = 0;
  std::uint32_t strategy = 0;  // index into BlockingConfig::strategies

  bool operator==(const BlockingKey&) const = default;
};

struct RecordKeyIssues {
  bool clkUnusable = false;       // an LSH strategy is configured but the CLK length differs
  std::uint32_t truncatedStrategies = 0;  // bit s: strategy s hit its max_keys_per_record
};

class BlockingKeyer {
 public:
  // `clkBits` is the CLK length of the records to be blocked (the encoding
  // header's clkBits); it may be 0 when no strategy uses the CLK. Validates
  // the config; throws BlockingConfigError.
  BlockingKeyer(BlockingConfig config, std::size_t clkBits);

  const BlockingConfig& config() const { return config_; }
  std::size_t clkBits() const { return clkBits_; }

  // Replaces `out` with the record's distinct keys, ordered by strategy then
  // hash.
  RecordKeyIssues keysOf(const EncodedRecord& record, std::vector<BlockingKey>& out) const;

 private:
  BlockingConfig config_;
  std::size_t clkBits_;
  std::vector<std::optional<HammingLsh>> lsh_;  // per strategy; engaged for hamming_lsh strategies
};

}  // namespace nser::linkage
