// Internal to the Dice kernel: one intersection routine per machine path,
// each compiled for its own instruction set with a per-function target
// attribute (the translation units themselves are built for baseline x86-64).
// Only dice_kernel.cpp dispatches to them, after checking the CPU; tests call
// them directly so that every path, including the baseline portable one, is
// exercised on whatever machine runs the tests.
//
// Contract of every routine: out[j] = popcount(a AND b_j) for j < count, with
// b_j = b + j * words; words >= 1; pointers need no particular alignment.
#pragma once

#include <cstddef>
#include <cstdint>

namespace nser::linkage::dice_paths {

using IntersectFn = void (*)(const std::uint64_t* a, const std::uint64_t* b, std::size_t count, std::size_t words,
                             std::uint32_t* out);

// Baseline x86-64: __builtin_popcountll without the POPCNT instruction.
void intersectPortableBaseline(const std::uint64_t* a, const std::uint64_t* b, std::size_t count,
                               std::size_t words, std::uint32_t* out);
// The same C++ compiled with target("popcnt"): needs CpuFeatures::popcnt.
void intersectPortablePopcnt(const std::uint64_t* a, const std::uint64_t* b, std::size_t count, std::size_t words,
                             std::uint32_t* out);
// Needs CpuFeatures::avx2 and popcnt.
void intersectAvx2(const std::uint64_t* a, const std::uint64_t* b, std::size_t count, std::size_t words,
                   std::uint32_t* out);
// Needs CpuFeatures::avx512f and avx512vpopcntdq.
void intersectAvx512(const std::uint64_t* a, const std::uint64_t* b, std::size_t count, std::size_t words,
                     std::uint32_t* out);

}  // namespace nser::linkage::dice_paths
