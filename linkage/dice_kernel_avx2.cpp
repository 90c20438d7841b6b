// The AVX2 Dice path. AVX2 has no vector popcount, so each byte is counted by
// two 16-entry table lookups (low and high nibble) with vpshufb, the byte
// counts of one comparison are added (at most 8 per byte per vector, so four
// vectors cannot overflow a byte) and vpsadbw sums them into 64-bit lanes
// (Mula, Kurz and Lemire, "Faster population counts using AVX2 instructions").
// For 1024-bit filters the four 256-bit words of A stay in registers and four
// B filters are finished together, so the horizontal reduction is one short
// transpose shared by four comparisons instead of one per comparison.
#include <immintrin.h>

#include "linkage/dice_kernel_paths.h"

#define NSER_DICE_AVX2 __attribute__((target("avx2,popcnt")))

namespace nser::linkage::dice_paths {

namespace {

NSER_DICE_AVX2 inline __m256i load(const std::uint64_t* p) {
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
}

// Per-byte popcount of v (each byte 0..8).
NSER_DICE_AVX2 inline __m256i byteCounts(__m256i v) {
  const __m256i table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4,  //
                                         0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
  const __m256i lowNibble = _mm256_set1_epi8(0x0f);
  const __m256i lo = _mm256_and_si256(v, lowNibble);
  const __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), lowNibble);
  return _mm256_add_epi8(_mm256_shuffle_epi8(table, lo), _mm256_shuffle_epi8(table, hi));
}

// |A ∩ B| of one 1024-bit pair as four 64-bit partial sums.
NSER_DICE_AVX2 inline __m256i partial1024(__m256i a0, __m256i a1, __m256i a2, __m256i a3, const std::uint64_t* b) {
  const __m256i c0 = byteCounts(_mm256_and_si256(a0, load(b)));
  const __m256i c1 = byteCounts(_mm256_and_si256(a1, load(b + 4)));
  const __m256i c2 = byteCounts(_mm256_and_si256(a2, load(b + 8)));
  const __m256i c3 = byteCounts(_mm256_and_si256(a3, load(b + 12)));
  const __m256i bytes = _mm256_add_epi8(_mm256_add_epi8(c0, c1), _mm256_add_epi8(c2, c3));
  return _mm256_sad_epu8(bytes, _mm256_setzero_si256());
}

NSER_DICE_AVX2 inline std::uint32_t horizontalSum(__m256i v) {
  const __m128i half = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  return static_cast<std::uint32_t>(_mm_cvtsi128_si64(half) + _mm_extract_epi64(half, 1));
}

NSER_DICE_AVX2 void intersect1024(const std::uint64_t* a, const std::uint64_t* b, std::size_t count,
                                  std::uint32_t* out) {
  const __m256i a0 = load(a), a1 = load(a + 4), a2 = load(a + 8), a3 = load(a + 12);
  std::size_t j = 0;
  for (; j + 4 <= count; j += 4, b += 64) {
    const __m256i s0 = partial1024(a0, a1, a2, a3, b);
    const __m256i s1 = partial1024(a0, a1, a2, a3, b + 16);
    const __m256i s2 = partial1024(a0, a1, a2, a3, b + 32);
    const __m256i s3 = partial1024(a0, a1, a2, a3, b + 48);
    // Transpose-add: lane k of the result is the total of s_k.
    const __m256i s01 = _mm256_add_epi64(_mm256_unpacklo_epi64(s0, s1), _mm256_unpackhi_epi64(s0, s1));
    const __m256i s23 = _mm256_add_epi64(_mm256_unpacklo_epi64(s2, s3), _mm256_unpackhi_epi64(s2, s3));
    const __m256i sums = _mm256_add_epi64(_mm256_permute2x128_si256(s01, s23, 0x20),
                                          _mm256_permute2x128_si256(s01, s23, 0x31));
    // Totals are <= 1024: keep the low 32 bits of each 64-bit lane.
    const __m256i packed = _mm256_permutevar8x32_epi32(sums, _mm256_setr_epi32(0, 2, 4, 6, 0, 2, 4, 6));
    _mm_storeu_si128(reinterpret_cast<__m128i*>(out + j), _mm256_castsi256_si128(packed));
  }
  for (; j < count; ++j, b += 16) out[j] = horizontalSum(partial1024(a0, a1, a2, a3, b));
}

// Any length: 256-bit chunks with a 64-bit lane accumulator, then the last
// words (fewer than four) with the POPCNT instruction.
NSER_DICE_AVX2 void intersectAnyLength(const std::uint64_t* a, const std::uint64_t* b, std::size_t count,
                                       std::size_t words, std::uint32_t* out) {
  const std::size_t vectorWords = words - words % 4;
  for (std::size_t j = 0; j < count; ++j, b += words) {
    __m256i sum = _mm256_setzero_si256();
    for (std::size_t w = 0; w < vectorWords; w += 4) {
      const __m256i bytes = byteCounts(_mm256_and_si256(load(a + w), load(b + w)));
      sum = _mm256_add_epi64(sum, _mm256_sad_epu8(bytes, _mm256_setzero_si256()));
    }
    std::uint32_t bits = horizontalSum(sum);
    for (std::size_t w = vectorWords; w < words; ++w) {
      bits += static_cast<std::uint32_t>(_mm_popcnt_u64(a[w] & b[w]));
    }
    out[j] = bits;
  }
}

}  // namespace

NSER_DICE_AVX2 void intersectAvx2(const std::uint64_t* a, const std::uint64_t* b, std::size_t count,
                                  std::size_t words, std::uint32_t* out) {
  if (words == 16) {
    intersect1024(a, b, count, out);
  } else {
    intersectAnyLength(a, b, count, words, out);
  }
}

}  // namespace nser::linkage::dice_paths
