// The portable Dice path: plain C++ over 64-bit words. The same always-inline
// body is compiled twice, once for baseline x86-64 (where the compiler expands
// __builtin_popcountll into a bit-twiddling sequence) and once with
// target("popcnt") (one instruction per word), and the dispatcher picks the
// second when the CPU has POPCNT.
#include "linkage/dice_kernel_paths.h"

namespace nser::linkage::dice_paths {

namespace {

// 1024-bit filters: a fixed trip count, unrolled, with four independent
// accumulators so the adds do not serialise behind one register.
template <std::size_t kWords>
[[gnu::always_inline]] inline void intersectFixed(const std::uint64_t* a, const std::uint64_t* b, std::size_t count,
                                                  std::uint32_t* out) {
  static_assert(kWords % 4 == 0);
  for (std::size_t j = 0; j < count; ++j, b += kWords) {
    std::uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
#pragma GCC unroll 16
    for (std::size_t w = 0; w < kWords; w += 4) {
      s0 += static_cast<std::uint64_t>(__builtin_popcountll(a[w] & b[w]));
      s1 += static_cast<std::uint64_t>(__builtin_popcountll(a[w + 1] & b[w + 1]));
      s2 += static_cast<std::uint64_t>(__builtin_popcountll(a[w + 2] & b[w + 2]));
      s3 += static_cast<std::uint64_t>(__builtin_popcountll(a[w + 3] & b[w + 3]));
    }
    out[j] = static_cast<std::uint32_t>((s0 + s1) + (s2 + s3));
  }
}

[[gnu::always_inline]] inline void intersectAny(const std::uint64_t* a, const std::uint64_t* b, std::size_t count,
                                                std::size_t words, std::uint32_t* out) {
  if (words == 16) {
    intersectFixed<16>(a, b, count, out);
    return;
  }
  for (std::size_t j = 0; j < count; ++j, b += words) {
    std::uint32_t bits = 0;
    for (std::size_t w = 0; w < words; ++w) bits += static_cast<std::uint32_t>(__builtin_popcountll(a[w] & b[w]));
    out[j] = bits;
  }
}

}  // namespace

void intersectPortableBaseline(const std::uint64_t* a, const std::uint64_t* b, std::size_t count,
                               std::size_t words, std::uint32_t* out) {
  intersectAny(a, b, count, words, out);
}

__attribute__((target("popcnt"))) void intersectPortablePopcnt(const std::uint64_t* a, const std::uint64_t* b,
                                                                 std::size_t count, std::size_t words,
                                                                 std::uint32_t* out) {
  intersectAny(a, b, count, words, out);
}

}  // namespace nser::linkage::dice_paths
