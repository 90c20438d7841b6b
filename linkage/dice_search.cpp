#include "linkage/dice_search.h"

#include <emmintrin.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <exception>
#include <limits>
#include <string>
#include <thread>
#include <utility>

namespace nser::linkage {

namespace {

// A rows per unit of work: small enough to balance two threads over skewed
// popcount ranges, large enough that each B tile is reused many times.
constexpr std::size_t kRowsPerBlock = 32;
// Bytes of B per tile: half of a 32 KiB L1d, leaving room for the A rows of
// the block and the intersection buffer.
constexpr std::size_t kTileBytes = 16 * 1024;

constexpr std::uint32_t kUnreachable = std::numeric_limits<std::uint32_t>::max();

// The total order of the output and of top-k: a ascending, score descending,
// b ascending.
bool outputOrder(const DiceMatch& x, const DiceMatch& y) {
  if (x.a != y.a) return x.a < y.a;
  if (x.score != y.score) return x.score > y.score;
  return x.b < y.b;
}

// Within one A row: x is better than y.
bool better(const DiceMatch& x, const DiceMatch& y) {
  if (x.score != y.score) return x.score > y.score;
  return x.b < y.b;
}

// minIntersection[s] = the least intersection i with diceScore(i, pa, pb) >=
// threshold for pa + pb == s (kUnreachable for s == 0 when threshold > 0).
// Found by testing the very expression diceScore uses, so the integer test in
// the hot loop agrees with the double comparison bit for bit. For s >= 1 the
// table never decreases (a larger sum needs at least as large an
// intersection), which the scan's per-range floor relies on. Values above
// s / 2 are never met, since an intersection cannot exceed min(pa, pb).
std::vector<std::uint32_t> minimumIntersections(std::size_t bits, double threshold) {
  std::vector<std::uint32_t> table(2 * bits + 1);
  table[0] = threshold <= 0.0 ? 0 : kUnreachable;
  for (std::uint32_t sum = 1; sum <= 2 * bits; ++sum) {
    auto passes = [&](std::uint32_t i) { return diceScore(i, sum, 0) >= threshold; };
    auto i = static_cast<std::uint32_t>(std::floor(threshold * sum / 2.0));
    while (i > 0 && passes(i - 1)) --i;
    while (!passes(i)) ++i;  // ends by i == sum at the latest: score 2 > any threshold
    table[sum] = i;
  }
  return table;
}

// The best score any pair with these popcounts can reach.
double scoreBound(std::uint32_t pa, std::uint32_t pb) { return diceScore(std::min(pa, pb), pa, pb); }

// Indices of the set sorted by popcount; equal popcounts keep index order.
std::vector<std::uint32_t> orderByPopcount(const DiceFilterSet& set) {
  std::vector<std::uint32_t> order;
  order.reserve(set.size());
  for (std::size_t i = 0; i < set.size(); ++i) order.push_back(static_cast<std::uint32_t>(i));
  std::stable_sort(order.begin(), order.end(),
                   [&set](std::uint32_t x, std::uint32_t y) { return set.popcount(x) < set.popcount(y); });
  return order;
}

struct Block {
  std::vector<DiceMatch> matches;
  std::uint64_t popcounted = 0;
  std::uint64_t matchCount = 0;
};

class Search {
 public:
  Search(const DiceFilterSet& a, const DiceFilterSet& b, const DiceSearchOptions& options, DicePath path)
      : a_(a), options_(options), path_(path), words_(a.wordsPerFilter()), sortedB_(b.bitsPerFilter()) {
    // B sorted by popcount and copied, so that every length-filter range is
    // one contiguous run of memory.
    bOrder_ = orderByPopcount(b);
    sortedB_.reserve(b.size());
    for (std::uint32_t index : bOrder_) sortedB_.add(b.filter(index));
    sortedPopcounts_.reserve(sortedB_.size());
    for (std::size_t i = 0; i < sortedB_.size(); ++i) sortedPopcounts_.push_back(sortedB_.popcount(i));
    // A rows visited in popcount order, so a block's rows want neighbouring B ranges.
    aOrder_ = orderByPopcount(a);
    minIntersection_ = minimumIntersections(a.bitsPerFilter(), options.threshold);
    tileFilters_ = std::max<std::size_t>(4, kTileBytes / (words_ * 8));
    blocks_.resize((a.size() + kRowsPerBlock - 1) / kRowsPerBlock);
  }

  std::size_t blockCount() const { return blocks_.size(); }

  // Runs blocks until none are left; called by every worker thread.
  void work() {
    std::vector<std::uint32_t> intersections(tileFilters_);
    std::vector<std::vector<DiceMatch>> heaps(kRowsPerBlock);
    for (std::size_t block = next_.fetch_add(1); block < blocks_.size(); block = next_.fetch_add(1)) {
      runBlock(block, intersections, heaps);
    }
  }

  DiceSearchResult collect(unsigned threads) {
    DiceSearchResult result;
    result.stats.path = path_;
    result.stats.threads = threads;
    result.stats.pairs = static_cast<std::uint64_t>(a_.size()) * sortedB_.size();
    std::size_t total = 0;
    for (const Block& block : blocks_) total += block.matches.size();
    result.matches.reserve(total);
    for (Block& block : blocks_) {
      result.stats.popcountedPairs += block.popcounted;
      result.stats.matches += block.matchCount;
      result.matches.insert(result.matches.end(), block.matches.begin(), block.matches.end());
      block.matches = {};
    }
    std::sort(result.matches.begin(), result.matches.end(), outputOrder);
    return result;
  }

 private:
  // [first, last) of sorted B whose popcounts can reach the threshold with pa.
  std::pair<std::size_t, std::size_t> candidateRange(std::uint32_t pa) const {
    if (!options_.lengthFilter || options_.threshold <= 0.0) return {0, sortedB_.size()};
    const std::uint32_t* begin = sortedPopcounts_.data();
    const std::uint32_t* end = begin + sortedPopcounts_.size();
    const double t = options_.threshold;
    // The bound rises with pb up to pa and falls after it.
    const std::uint32_t* middle = std::lower_bound(begin, end, pa);
    const std::uint32_t* first =
        std::partition_point(begin, middle, [&](std::uint32_t pb) { return scoreBound(pa, pb) < t; });
    const std::uint32_t* last =
        std::partition_point(middle, end, [&](std::uint32_t pb) { return scoreBound(pa, pb) >= t; });
    return {static_cast<std::size_t>(first - begin), static_cast<std::size_t>(last - begin)};
  }

  // One block of A rows against the union of their B ranges, tile by tile.
  void runBlock(std::size_t blockIndex, std::vector<std::uint32_t>& intersections,
                std::vector<std::vector<DiceMatch>>& heaps) {
    Block& block = blocks_[blockIndex];
    const std::size_t rowBegin = blockIndex * kRowsPerBlock;
    const std::size_t rowEnd = std::min(rowBegin + kRowsPerBlock, aOrder_.size());
    const std::size_t rows = rowEnd - rowBegin;

    std::pair<std::size_t, std::size_t> ranges[kRowsPerBlock];
    std::size_t blockFirst = sortedB_.size(), blockLast = 0;
    for (std::size_t r = 0; r < rows; ++r) {
      ranges[r] = candidateRange(a_.popcount(aOrder_[rowBegin + r]));
      if (ranges[r].first < ranges[r].second) {
        blockFirst = std::min(blockFirst, ranges[r].first);
        blockLast = std::max(blockLast, ranges[r].second);
      }
      heaps[r].clear();
    }

    const std::uint32_t* bPop = sortedPopcounts_.data();
    for (std::size_t tile = blockFirst; tile < blockLast; tile += tileFilters_) {
      const std::size_t tileEnd = std::min(tile + tileFilters_, blockLast);
      for (std::size_t r = 0; r < rows; ++r) {
        const std::size_t first = std::max(tile, ranges[r].first);
        const std::size_t last = std::min(tileEnd, ranges[r].second);
        if (first >= last) continue;
        const std::uint32_t aIndex = aOrder_[rowBegin + r];
        const std::uint32_t pa = a_.popcount(aIndex);
        diceIntersections(path_, a_.filter(aIndex).data(), sortedB_.data() + first * words_, last - first, words_,
                          intersections.data());
        block.popcounted += last - first;
        // B is sorted by popcount and the table never decreases, so its value
        // at the range's first popcount is a floor for the whole range. Four
        // counts at a time are compared with it (SSE2, baseline x86-64) and
        // only the rare hits get the exact test.
        const std::uint32_t rangeFloor = minIntersection_[std::max<std::uint32_t>(1, pa + bPop[first])];
        if (rangeFloor == 0) {
          for (std::size_t j = first; j < last; ++j) consider(block, heaps[r], aIndex, pa, j, intersections[j - first]);
          continue;
        }
        const __m128i below = _mm_set1_epi32(static_cast<int>(rangeFloor - 1));
        std::size_t j = first;
        for (; j + 4 <= last; j += 4) {
          const __m128i counts = _mm_loadu_si128(reinterpret_cast<const __m128i*>(&intersections[j - first]));
          auto hits = static_cast<unsigned>(_mm_movemask_ps(_mm_castsi128_ps(_mm_cmpgt_epi32(counts, below))));
          for (; hits != 0; hits &= hits - 1) {
            const std::size_t k = j + static_cast<std::size_t>(__builtin_ctz(hits));
            consider(block, heaps[r], aIndex, pa, k, intersections[k - first]);
          }
        }
        for (; j < last; ++j) consider(block, heaps[r], aIndex, pa, j, intersections[j - first]);
      }
    }
    if (options_.topK != 0) {
      for (std::size_t r = 0; r < rows; ++r) {
        block.matchCount += heaps[r].size();
        if (!options_.countOnly) block.matches.insert(block.matches.end(), heaps[r].begin(), heaps[r].end());
      }
    }
  }

  // The exact test of one pair (sorted B position j), then report or offer it.
  void consider(Block& block, std::vector<DiceMatch>& heap, std::uint32_t aIndex, std::uint32_t pa, std::size_t j,
                std::uint32_t inter) const {
    const std::uint32_t pb = sortedPopcounts_[j];
    if (inter < minIntersection_[pa + pb]) return;
    const DiceMatch match{aIndex, bOrder_[j], diceScore(inter, pa, pb)};
    if (options_.topK == 0) {
      ++block.matchCount;
      if (!options_.countOnly) block.matches.push_back(match);
    } else {
      offer(heap, match);
    }
  }

  // Keeps the topK best of one row; the heap's front is its worst member.
  void offer(std::vector<DiceMatch>& heap, const DiceMatch& match) const {
    if (heap.size() < options_.topK) {
      heap.push_back(match);
      std::push_heap(heap.begin(), heap.end(), better);
    } else if (better(match, heap.front())) {
      std::pop_heap(heap.begin(), heap.end(), better);
      heap.back() = match;
      std::push_heap(heap.begin(), heap.end(), better);
    }
  }

  const DiceFilterSet& a_;
  const DiceSearchOptions& options_;
  const DicePath path_;
  const std::size_t words_;
  DiceFilterSet sortedB_;
  std::vector<std::uint32_t> bOrder_;
  std::vector<std::uint32_t> aOrder_;
  std::vector<std::uint32_t> sortedPopcounts_;
  std::vector<std::uint32_t> minIntersection_;
  std::size_t tileFilters_ = 0;
  std::vector<Block> blocks_;
  std::atomic<std::size_t> next_{0};
};

}  // namespace

DiceSearchResult diceSearch(const DiceFilterSet& a, const DiceFilterSet& b, const DiceSearchOptions& options) {
  if (a.bitsPerFilter() != b.bitsPerFilter()) {
    throw DiceConfigError("Dice search: A has " + std::to_string(a.bitsPerFilter()) + "-bit filters but B has " +
                          std::to_string(b.bitsPerFilter()) + "-bit filters");
  }
  if (!(options.threshold >= 0.0 && options.threshold <= 1.0)) {
    throw DiceConfigError("Dice search: threshold must be within [0, 1], got " + std::to_string(options.threshold));
  }
  if (options.threads == 0) throw DiceConfigError("Dice search: threads must be at least 1");
  constexpr std::size_t kMaxFilters = std::numeric_limits<std::uint32_t>::max();
  if (a.size() > kMaxFilters || b.size() > kMaxFilters) {
    throw DiceConfigError("Dice search: at most 4294967295 filters per side");
  }
  const DicePath path = resolveDicePath(options.path);

  Search search(a, b, options, path);
  const unsigned threads =
      static_cast<unsigned>(std::max<std::size_t>(1, std::min<std::size_t>(options.threads, search.blockCount())));
  std::vector<std::thread> workers;
  std::vector<std::exception_ptr> failures(threads);
  workers.reserve(threads - 1);
  for (unsigned t = 1; t < threads; ++t) {
    workers.emplace_back([&search, &failures, t] {
      try {
        search.work();
      } catch (...) {
        failures[t] = std::current_exception();
      }
    });
  }
  try {
    search.work();
  } catch (...) {
    failures[0] = std::current_exception();
  }
  for (std::thread& worker : workers) worker.join();
  for (const std::exception_ptr& failure : failures) {
    if (failure) std::rethrow_exception(failure);
  }
  return search.collect(threads);
}

}  // namespace nser::linkage
