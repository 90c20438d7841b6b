// The AVX-512 Dice path: VPOPCNTDQ counts the bits of eight 64-bit lanes in
// one instruction, so a 1024-bit comparison is two AND+popcount pairs and an
// add. Four B filters are finished together and their lane sums reduced by a
// shared transpose, as in the AVX2 path. Lengths that are not a multiple of
// 512 bits use a masked load for the last chunk (masked-off lanes read as
// zero and touch no memory).
// GCC 12's AVX-512 headers initialise "undefined" vectors from themselves,
// which -Wmaybe-uninitialized reports wherever they inline (GCC PR 105593,
// fixed in GCC 13). The warning is about the header, not this code.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <immintrin.h>

#include "linkage/dice_kernel_paths.h"

#define NSER_DICE_AVX512 __attribute__((target("avx512f,avx512vpopcntdq,popcnt")))

namespace nser::linkage::dice_paths {

namespace {

NSER_DICE_AVX512 inline __m512i load(const std::uint64_t* p) { return _mm512_loadu_si512(p); }

NSER_DICE_AVX512 inline std::uint32_t laneSum(__m512i v) {
  alignas(64) std::uint64_t lanes[8];
  _mm512_store_si512(lanes, v);
  std::uint64_t total = 0;
  for (std::uint64_t lane : lanes) total += lane;
  return static_cast<std::uint32_t>(total);
}

// |A ∩ B| of one 1024-bit pair as eight 64-bit partial sums.
NSER_DICE_AVX512 inline __m512i partial1024(__m512i a0, __m512i a1, const std::uint64_t* b) {
  return _mm512_add_epi64(_mm512_popcnt_epi64(_mm512_and_si512(a0, load(b))),
                          _mm512_popcnt_epi64(_mm512_and_si512(a1, load(b + 8))));
}

NSER_DICE_AVX512 void intersect1024(const std::uint64_t* a, const std::uint64_t* b, std::size_t count,
                                    std::uint32_t* out) {
  const __m512i a0 = load(a), a1 = load(a + 8);
  std::size_t j = 0;
  for (; j + 4 <= count; j += 4, b += 64) {
    const __m512i s0 = partial1024(a0, a1, b);
    const __m512i s1 = partial1024(a0, a1, b + 16);
    const __m512i s2 = partial1024(a0, a1, b + 32);
    const __m512i s3 = partial1024(a0, a1, b + 48);
    // Transpose-add within 128-bit lanes, then across them with vshufi64x2
    // (GCC 12 warns spuriously on the 512->256 extract intrinsics, so the
    // reduction stays in 512-bit registers). Lanes 0..3 end up holding the
    // totals of s0..s3; vpmovqd stores their low 32 bits (totals <= 1024).
    const __m512i u01 = _mm512_add_epi64(_mm512_unpacklo_epi64(s0, s1), _mm512_unpackhi_epi64(s0, s1));
    const __m512i u23 = _mm512_add_epi64(_mm512_unpacklo_epi64(s2, s3), _mm512_unpackhi_epi64(s2, s3));
    // v = [u01.L0+u01.L1, u01.L2+u01.L3, u23.L0+u23.L1, u23.L2+u23.L3] (L = 128-bit lane)
    const __m512i v = _mm512_add_epi64(_mm512_shuffle_i64x2(u01, u23, _MM_SHUFFLE(2, 0, 2, 0)),
                                       _mm512_shuffle_i64x2(u01, u23, _MM_SHUFFLE(3, 1, 3, 1)));
    // [v.L0+v.L1, v.L2+v.L3, ...] = [s0 s1 | s2 s3 | ...]
    const __m512i sums = _mm512_add_epi64(_mm512_shuffle_i64x2(v, v, _MM_SHUFFLE(2, 0, 2, 0)),
                                          _mm512_shuffle_i64x2(v, v, _MM_SHUFFLE(3, 1, 3, 1)));
    _mm512_mask_cvtepi64_storeu_epi32(out + j, 0x0F, sums);
  }
  for (; j < count; ++j, b += 16) {
    out[j] = laneSum(partial1024(a0, a1, b));
  }
}

NSER_DICE_AVX512 void intersectAnyLength(const std::uint64_t* a, const std::uint64_t* b, std::size_t count,
                                         std::size_t words, std::uint32_t* out) {
  const std::size_t fullWords = words - words % 8;
  const __mmask8 tailMask = static_cast<__mmask8>((1u << (words % 8)) - 1u);
  for (std::size_t j = 0; j < count; ++j, b += words) {
    __m512i sum = _mm512_setzero_si512();
    for (std::size_t w = 0; w < fullWords; w += 8) {
      sum = _mm512_add_epi64(sum, _mm512_popcnt_epi64(_mm512_and_si512(load(a + w), load(b + w))));
    }
    if (tailMask != 0) {
      const __m512i ta = _mm512_maskz_loadu_epi64(tailMask, a + fullWords);
      const __m512i tb = _mm512_maskz_loadu_epi64(tailMask, b + fullWords);
      sum = _mm512_add_epi64(sum, _mm512_popcnt_epi64(_mm512_and_si512(ta, tb)));
    }
    out[j] = laneSum(sum);
  }
}

}  // namespace

NSER_DICE_AVX512 void intersectAvx512(const std::uint64_t* a, const std::uint64_t* b, std::size_t count,
                                      std::size_t words, std::uint32_t* out) {
  if (words == 16) {
    intersect1024(a, b, count, out);
  } else {
    intersectAnyLength(a, b, count, words, out);
  }
}

}  // namespace nser::linkage::dice_paths
