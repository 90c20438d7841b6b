// Many-against-many Dice search: every filter of A against every filter of B,
// reporting only the pairs that pass a threshold and/or are among the top k of
// their A row. All |A| x |B| pairs are never materialised.
//
// How (docs/dice-kernel.md has the full design):
//   - Length filter: Dice(a, b) <= 2 min(|a|, |b|) / (|a| + |b|), so with B
//     sorted by popcount each A row only visits the contiguous range of B whose
//     popcounts can still reach the threshold; the rest is skipped unread.
//   - Cache tiling: A is cut into blocks of rows (the unit of work) and B into
//     tiles small enough to stay in L1 while every row of the block passes
//     over them.
//   - Threads take A blocks from a shared counter; each block's results are
//     kept separately and the final list is sorted by a total order, so the
//     output never depends on the thread count or on scheduling.
//
// Output order: by a_index ascending, then score descending, then b_index
// ascending. Top-k ties are broken the same way (the lower b_index wins).
// Scores are diceScore() of integer popcounts, identical on every path.
//
// Thread-safe: diceSearch only reads its inputs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "linkage/dice_filter_set.h"
#include "linkage/dice_kernel.h"

namespace nser::linkage {

struct DiceMatch {
  std::uint32_t a = 0;  // index into A
  std::uint32_t b = 0;  // index into B
  double score = 0.0;

  bool operator==(const DiceMatch&) const = default;
};

struct DiceSearchOptions {
  // Report pairs with score >= threshold; must be within [0, 1].
  double threshold = 0.0;
  // When > 0, at most this many pairs per A row (the best ones).
  std::size_t topK = 0;
  // Worker threads (>= 1); the calling thread is one of them.
  unsigned threads = 1;
  DicePath path = DicePath::Auto;
  // Skip B ranges whose popcounts cannot reach the threshold. Off only to
  // measure the raw kernel (results are identical either way).
  bool lengthFilter = true;
  // Count the matches without keeping them (for benchmarks over huge outputs).
  bool countOnly = false;
};

struct DiceSearchStats {
  DicePath path = DicePath::Auto;       // the resolved path that ran
  unsigned threads = 0;                 // threads actually used
  std::uint64_t pairs = 0;              // |A| x |B|: the logical comparisons
  std::uint64_t popcountedPairs = 0;    // pairs whose intersection was computed
  std::uint64_t matches = 0;            // pairs reported
};

struct DiceSearchResult {
  std::vector<DiceMatch> matches;  // empty when countOnly
  DiceSearchStats stats;
};

// Throws DiceConfigError when A and B have different filter lengths, the
// threshold is outside [0, 1], threads is 0, either set has more than 2^32-1
// filters, or the requested path is not supported by this CPU.
DiceSearchResult diceSearch(const DiceFilterSet& a, const DiceFilterSet& b, const DiceSearchOptions& options);

}  // namespace nser::linkage
