// RandomStream: the generator's only source of randomness, fixed and
// documented so that output is byte-identical on every platform and compiler.
//
//   * splitmix64 (Steele, Lea, Flood 2014) mixes (seed, purpose, index...) into
//     a 64-bit stream key; xoshiro256** (Blackman, Vigna 2018) seeded from that
//     key by splitmix64 produces the stream.
//   * Streams are derived, never shared: every household, person and
//     (source, person) pair gets its own stream from its coordinates, so a
//     value does not depend on how many draws happened before it elsewhere.
//   * Integer ranges use Lemire's multiply-shift without rejection (bias below
//     n/2^64, irrelevant here); reals use the top 53 bits. No
//     std::*_distribution anywhere: their output is implementation-defined.
// Not a cryptographic generator and never used as one.
#pragma once

#include <cstdint>
#include <string_view>

namespace nser::synth {

// One splitmix64 step on `x` (the finaliser alone, without the increment).
constexpr std::uint64_t mix64(std::uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// A stable 64-bit code for a purpose or source name (FNV-1a, then mixed).
constexpr std::uint64_t purposeCode(std::string_view text) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (char c : text) {
    h ^= static_cast<unsigned char>(c);
    h *= 0x100000001b3ULL;
  }
  return mix64(h);
}

class RandomStream {
 public:
  // The stream at coordinates (seed, purpose, a, b).
  RandomStream(std::uint64_t seed, std::uint64_t purpose, std::uint64_t a = 0, std::uint64_t b = 0) {
    std::uint64_t key = mix64(seed + 0x9e3779b97f4a7c15ULL);
    key = mix64(key ^ purpose);
    key = mix64(key ^ (a * 0xd1b54a32d192ed03ULL + 1));
    key = mix64(key ^ (b * 0xaef17502108ef2d9ULL + 2));
    for (auto& word : state_) {
      key += 0x9e3779b97f4a7c15ULL;
      word = mix64(key);
    }
  }

  // xoshiro256**.
  std::uint64_t next() {
    const std::uint64_t result = rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, n); n > 0.
  std::uint64_t below(std::uint64_t n) {
    __extension__ using Wide = unsigned __int128;  // GCC/Clang; the high word of a 64x64 product
    return static_cast<std::uint64_t>((static_cast<Wide>(next()) * n) >> 64);
  }
  // Uniform in [lo, hi] (inclusive).
  int between(int lo, int hi) { return lo + static_cast<int>(below(static_cast<std::uint64_t>(hi - lo + 1))); }
  // Uniform in [0, 1).
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }

 private:
  static constexpr std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4];
};

}  // namespace nser::synth
