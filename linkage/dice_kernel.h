// The Dice coefficient of Bloom-filter encodings, and the three machine paths
// that compute the intersections behind it.
//
//   dice(A, B) = 2 |A ∩ B| / (|A| + |B|),   0 when both filters are empty.
//
// A filter is a run of 64-bit words (any multiple of 64 bits; 1024 bits = 16
// words is the specialised case). Bit order inside a word does not matter to
// Dice as long as both sides use the same one.
//
// Paths (chosen at run time from linkage/cpu_features.h, never at compile
// time: the release build carries no -march flag):
//   Avx512   AVX-512F + VPOPCNTDQ, `_mm512_popcnt_epi64` on 512-bit lanes;
//   Avx2     AVX2 nibble-lookup popcount (vpshufb + vpsadbw, Mula's method);
//   Portable plain C++ `__builtin_popcountll`, using the POPCNT instruction
//            when the CPU has it and the baseline x86-64 code otherwise.
// Every path returns the same integers, and the score is always computed from
// integers by diceScore(), so every path gives bit-identical doubles.
//
// Thread-safe: all functions are pure.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <stdexcept>
#include <string_view>

namespace nser::linkage {

enum class DicePath { Auto, Portable, Avx2, Avx512 };

// A caller asked for something the kernel cannot do (a path this CPU lacks, a
// filter length that is not a multiple of 64 bits, a threshold outside [0, 1]).
class DiceConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// "auto", "portable", "avx2", "avx512".
std::string_view dicePathName(DicePath path);
// Inverse of dicePathName; nullopt for an unknown name.
std::optional<DicePath> parseDicePath(std::string_view name);

// Whether this CPU can run the path (Auto and Portable: always).
bool dicePathSupported(DicePath path);
// Auto -> the fastest supported path; any other path is returned unchanged
// when supported. Throws DiceConfigError naming the path and the missing CPU
// features otherwise.
DicePath resolveDicePath(DicePath requested);

// The score every path reports: 2.0 * intersection / (pa + pb), or 0 when
// pa + pb == 0.
inline double diceScore(std::uint32_t intersection, std::uint32_t popcountA, std::uint32_t popcountB) {
  const std::uint32_t sum = popcountA + popcountB;
  return sum == 0 ? 0.0 : 2.0 * static_cast<double>(intersection) / static_cast<double>(sum);
}

// Number of set bits in one filter (portable code; used once per filter).
std::uint32_t filterPopcount(std::span<const std::uint64_t> words);

// out[j] = |a ∩ b_j| for the `count` filters b_0 .. b_{count-1} stored back to
// back at `b` (each `words` words long; `a` is one filter of the same length).
// `path` must be resolved (not Auto) and supported; `words` must be >= 1.
// This is the hot loop: it does not validate and never throws.
void diceIntersections(DicePath path, const std::uint64_t* a, const std::uint64_t* b, std::size_t count,
                       std::size_t words, std::uint32_t* out) noexcept;

// Dice of two filters of the same length on the given path (Auto resolves).
// Throws DiceConfigError when the lengths differ or are zero, or the path is
// unsupported.
double dice(std::span<const std::uint64_t> a, std::span<const std::uint64_t> b, DicePath path = DicePath::Auto);

}  // namespace nser::linkage
