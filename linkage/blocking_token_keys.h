// Block keys of one keyed-token strategy.
//
// A strategy's key lists token kinds K1..Km. A record gets one block key per
// combination (t1, ..., tm) of its tokens with ti of kind Ki:
//   key = combine(...combine(combine(salt, t1.lo), t1.hi)..., tm.hi)
// (blocking_key_hash.h), so two records share a key exactly when they share a
// token of every listed kind (up to 64-bit collisions), and a record missing
// one of the kinds gets no key from this strategy. Single-kind keys are the
// m = 1 case: one key per token of that kind (e.g. the 13 CNIC deletion
// tokens).
//
// Combinations are enumerated in token order and stop at
// maxKeysPerRecord; the caller counts truncated records.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "linkage/blocking_config.h"
#include "linkage/keyed_token.h"

namespace nser::linkage {

struct TokenKeyOutcome {
  std::uint32_t appended = 0;
  bool truncated = false;  // more combinations existed than maxKeysPerRecord
};

// Appends the keys of `tokens` under `settings` to `out` (duplicates possible
// when a record carries a token twice; BlockingKeyer removes them).
TokenKeyOutcome appendTokenBlockKeys(const TokenBlockSettings& settings, std::span<const KeyedToken> tokens,
                                     std::uint64_t salt, std::vector<std::uint64_t>& out);

}  // namespace nser::linkage
