#include "linkage/hardening.h"

#include <sodium.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <bit>
#include <numeric>
#include <cstring>
#include <stdexcept>
#include <string>

namespace nser::linkage {

namespace {

constexpr std::size_t kKeyBytes = 32;
constexpr char kKeyLabel[] = "nser/hardening/v1";

void setBit(std::span<std::uint64_t> bits, std::size_t i) { bits[i >> 6] |= std::uint64_t{1} << (i & 63); }

// The fast paths address a filter's bytes in memory order, which is the
// project's bit order (byte k = bits 8k..8k+7) only on a little-endian host.
static_assert(std::endian::native == std::endian::little, "hardening assumes a little-endian host");

constexpr std::uint8_t rotateByte(std::uint8_t byte, unsigned r) {
  return static_cast<std::uint8_t>((byte << r) | (byte >> ((8 - r) & 7)));
}

// kRotated[r * 256 + x] = rotateByte(x, r): a load instead of two shifts and
// an OR with variable counts.
constexpr std::array<std::uint8_t, 8 * 256> makeRotatedTable() {
  std::array<std::uint8_t, 8 * 256> table{};
  for (unsigned r = 0; r < 8; ++r) {
    for (unsigned x = 0; x < 256; ++x) table[r * 256 + x] = rotateByte(static_cast<std::uint8_t>(x), r);
  }
  return table;
}
constexpr std::array<std::uint8_t, 8 * 256> kRotated = makeRotatedTable();

// In-place XOR folds: the first half of `words` (of `length` words) becomes
// the XOR of both halves, `folds` times. Returns the new length.
std::size_t foldInPlace(std::span<std::uint64_t> words, std::size_t length, int folds) {
  for (int fold = 0; fold < folds; ++fold) {
    length /= 2;
    for (std::size_t i = 0; i < length; ++i) words[i] ^= words[length + i];
  }
  return length;
}

// Deterministic keyed stream (ChaCha20 via libsodium) as the randomness for
// the permutation and for BLIP.
class KeyedStream {
 public:
  // A stream keyed by BLAKE2b(hardening key, label || context): used once
  // per hardener (the balancing permutation). `keyedState` is BLAKE2b
  // initialised with the hardening key and a 32-byte output.
  KeyedStream(const crypto_generichash_state& keyedState, std::string_view label,
              std::span<const unsigned char> context) {
    crypto_generichash_state state = keyedState;
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(label.data()), label.size());
    crypto_generichash_update(&state, context.data(), context.size());
    crypto_generichash_final(&state, key_, sizeof(key_));
    refill();
  }
  // A stream under a ready ChaCha20 key and 64-bit nonce: the per-filter
  // BLIP stream, cheap enough to set up for every filter of every record.
  KeyedStream(const unsigned char* key, const unsigned char* nonce) {
    std::memcpy(key_, key, sizeof(key_));
    std::memcpy(nonce_, nonce, sizeof(nonce_));
    refill();
  }
  ~KeyedStream() {
    sodium_memzero(key_, sizeof(key_));
    sodium_memzero(buffer_, sizeof(buffer_));
  }
  KeyedStream(const KeyedStream&) = delete;
  KeyedStream& operator=(const KeyedStream&) = delete;

  std::uint32_t next32() {
    if (position_ + 4 > sizeof(buffer_)) refill();
    std::uint32_t v;
    std::memcpy(&v, buffer_ + position_, 4);
    position_ += 4;
    return v;
  }
  // Uniform in [0, bound) without modulo bias (Lemire's method with rejection).
  std::uint32_t below(std::uint32_t bound) {
    std::uint64_t product = std::uint64_t{next32()} * bound;
    auto low = static_cast<std::uint32_t>(product);
    if (low < bound) {
      const std::uint32_t threshold = static_cast<std::uint32_t>(-bound) % bound;
      while (low < threshold) {
        product = std::uint64_t{next32()} * bound;
        low = static_cast<std::uint32_t>(product);
      }
    }
    return static_cast<std::uint32_t>(product >> 32);
  }

 private:
  void refill() {
    // The next 64-byte ChaCha20 block of the keystream. (Draws read the
    // stream in order, so the buffer size does not change the values; one
    // block covers the ~11-21 draws of BLIP on a 512- or 1024-bit filter.)
    std::memset(buffer_, 0, sizeof(buffer_));
    crypto_stream_chacha20_xor_ic(buffer_, buffer_, sizeof(buffer_), nonce_, block_, key_);
    block_ += sizeof(buffer_) / 64;
    position_ = 0;
  }

  unsigned char key_[crypto_stream_chacha20_KEYBYTES];
  unsigned char nonce_[crypto_stream_chacha20_NONCEBYTES] = {};
  unsigned char buffer_[64];
  std::size_t position_ = 0;
  std::uint64_t block_ = 0;
};

}  // namespace

std::size_t HardeningSettings::outputBits(std::size_t inputBits) const {
  std::size_t bits = balance ? inputBits * 2 : inputBits;
  for (int i = 0; i < xorFolds; ++i) bits /= 2;
  return bits;
}

FilterHardener::FilterHardener(const LinkageSecret& secret, HardeningSettings settings, std::size_t inputBits)
    : settings_(settings), inputBits_(inputBits) {
  if (inputBits == 0 || inputBits % 64 != 0) {
    throw std::invalid_argument("hardening: filter length must be a positive multiple of 64 bits, got " +
                                std::to_string(inputBits));
  }
  if (settings.xorFolds < 0) throw std::invalid_argument("hardening: xorFolds must not be negative");
  std::size_t bits = settings.balance ? inputBits * 2 : inputBits;
  for (int i = 0; i < settings.xorFolds; ++i) {
    if (bits % 128 != 0) {
      throw std::invalid_argument("hardening: " + std::to_string(settings.xorFolds) + " XOR folds of a " +
                                  std::to_string(inputBits) + "-bit filter leave a length that is not a multiple of 64");
    }
    bits /= 2;
  }
  if (!(settings.blipFlipProbability >= 0 && settings.blipFlipProbability < 0.5)) {
    throw std::invalid_argument("hardening: BLIP flip probability must be in [0, 0.5)");
  }
  key_ = static_cast<unsigned char*>(sodium_malloc(kKeyBytes));
  if (key_ == nullptr) throw SecretError("cannot allocate guarded memory for the hardening key");
  secret.deriveSubkey(kKeyLabel, {key_, kKeyBytes});
  keyedState_ = static_cast<crypto_generichash_state*>(sodium_malloc(sizeof(crypto_generichash_state)));
  if (keyedState_ == nullptr) throw SecretError("cannot allocate guarded memory for the hardening key");
  crypto_generichash_init(keyedState_, key_, kKeyBytes, crypto_stream_chacha20_KEYBYTES);
  // BLIP: a ChaCha20 key, and a SipHash key for the per-filter nonce.
  blipKeys_ = static_cast<unsigned char*>(sodium_malloc(crypto_stream_chacha20_KEYBYTES + crypto_shorthash_KEYBYTES));
  if (blipKeys_ == nullptr) throw SecretError("cannot allocate guarded memory for the hardening key");
  static constexpr char kBlipLabel[] = "blip-keys";
  crypto_generichash(blipKeys_, crypto_stream_chacha20_KEYBYTES + crypto_shorthash_KEYBYTES,
                     reinterpret_cast<const unsigned char*>(kBlipLabel), sizeof(kBlipLabel) - 1, key_, kKeyBytes);
  sodium_mprotect_readonly(blipKeys_);
  if (settings.blipFlipProbability > 0) {
    blipLogKeep_ = std::log1p(-settings.blipFlipProbability);
    blipGaps_ = blipGapTable(blipLogKeep_);
  }
  sodium_mprotect_readonly(key_);
  sodium_mprotect_readonly(keyedState_);

  if (settings.balance) {
    // Keyed Fisher-Yates shuffle of the 2L/8 bytes of filter || complement,
    // and a keyed rotation of each byte: every output byte is one input byte,
    // rotated. Byte granularity keeps balancing at a few hundred operations
    // per filter; what balancing hides (the Hamming weight) does not depend on
    // the granularity.
    const std::size_t n = inputBits * 2 / 8;
    permutation_.resize(n);
    rotation_.resize(n);
    for (std::size_t i = 0; i < n; ++i) permutation_[i] = static_cast<std::uint32_t>(i);
    const auto lengthBytes = static_cast<std::uint64_t>(inputBits * 2);
    KeyedStream stream(*keyedState_, "balance-permutation",
                       {reinterpret_cast<const unsigned char*>(&lengthBytes), sizeof(lengthBytes)});
    for (std::size_t i = n - 1; i > 0; --i) {
      std::swap(permutation_[i], permutation_[stream.below(static_cast<std::uint32_t>(i + 1))]);
    }
    for (std::size_t i = 0; i < n; ++i) rotation_[i] = static_cast<std::uint8_t>(stream.below(8));
    // Complementing commutes with rotating, so balanced byte i is
    // rotl(input byte permutation_[i] mod L/8, rotation_[i]), complemented
    // when permutation_[i] points into the complement half.
    const std::size_t inputBytes = n / 2;
    balanceFold_.resize(inputBytes);
    balanceFoldFlips_.assign(inputBytes / 8, 0);
    for (std::size_t j = 0; j < inputBytes; ++j) {
      const std::uint32_t a = permutation_[j];
      const std::uint32_t b = permutation_[j + inputBytes];
      balanceFold_[j] = {static_cast<std::uint32_t>(a % inputBytes), static_cast<std::uint32_t>(b % inputBytes),
                         static_cast<std::uint16_t>(rotation_[j] * 256),
                         static_cast<std::uint16_t>(rotation_[j + inputBytes] * 256)};
      if ((a >= inputBytes) != (b >= inputBytes)) balanceFoldFlips_[j / 8] |= std::uint64_t{0xFF} << (8 * (j % 8));
    }
  }
}

FilterHardener::~FilterHardener() {
  sodium_free(blipKeys_);
  sodium_free(keyedState_);
  sodium_free(key_);
}

std::vector<std::uint64_t> FilterHardener::balance(std::span<const std::uint64_t> filter) const {
  const std::size_t inputBytes = inputBits_ / 8;
  // filter || complement, as bytes (little-endian words: byte k holds bits 8k..8k+7).
  std::vector<std::uint8_t> extended(inputBytes * 2);
  for (std::size_t w = 0; w < filter.size(); ++w) {
    for (std::size_t b = 0; b < 8; ++b) {
      const auto byte = static_cast<std::uint8_t>(filter[w] >> (8 * b));
      extended[w * 8 + b] = byte;
      extended[inputBytes + w * 8 + b] = static_cast<std::uint8_t>(~byte);
    }
  }
  std::vector<std::uint64_t> out(inputBits_ * 2 / 64, 0);
  for (std::size_t i = 0; i < extended.size(); ++i) {
    const std::uint8_t rotated = rotateByte(extended[permutation_[i]], rotation_[i]);
    out[i / 8] |= static_cast<std::uint64_t>(rotated) << (8 * (i % 8));
  }
  return out;
}

std::vector<std::uint64_t> FilterHardener::saltPermute(std::span<const std::uint64_t> filter,
                                                       std::string_view salt) const {
  std::vector<std::uint64_t> out(filter.begin(), filter.end());
  if (salt.empty()) return out;
  unsigned char digest[16];
  crypto_generichash_state state;
  crypto_generichash_init(&state, key_, kKeyBytes, sizeof(digest));
  static constexpr char kLabel[] = "record-salt";
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(kLabel), sizeof(kLabel) - 1);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(salt.data()), salt.size());
  crypto_generichash_final(&state, digest, sizeof(digest));
  std::uint64_t a = 0;
  std::uint64_t b = 0;
  std::memcpy(&a, digest, 8);
  std::memcpy(&b, digest + 8, 8);
  const std::uint64_t length = filter.size() * 64;
  a = a % length;
  // Any multiplier coprime to the length makes p -> a*p + b a permutation.
  while (std::gcd(a, length) != 1) a = (a + 1) % length;
  b = b % length;
  std::fill(out.begin(), out.end(), 0);
  for (std::size_t w = 0; w < filter.size(); ++w) {
    std::uint64_t word = filter[w];
    while (word != 0) {
      const std::uint64_t p = w * 64 + static_cast<std::uint64_t>(std::countr_zero(word));
      word &= word - 1;
      setBit(out, static_cast<std::size_t>((a * p + b) % length));
    }
  }
  return out;
}

std::size_t FilterHardener::blipGap(std::uint32_t draw, double logKeep) {
  // U in (0, 1]: never 0, so the logarithm is finite.
  const double u = (static_cast<double>(draw) + 1.0) / 4294967296.0;
  return static_cast<std::size_t>(std::floor(std::log(u) / logKeep));
}

std::vector<std::uint16_t> FilterHardener::blipGapTable(double logKeep) {
  // blipGap is non-increasing in x: consecutive U differ by 2^-32, so their
  // logarithms differ by at least 2^-32, far above log's error (a few ULP of
  // a value below 23, i.e. under 2^-47); the division and floor keep the
  // order. So when both ends of a bucket give the same gap, every draw in it
  // does, and the table's value is exactly what blipGap would return.
  std::vector<std::uint16_t> table(std::size_t{1} << kBlipBucketBits);
  const unsigned shift = 32 - kBlipBucketBits;
  for (std::size_t bucket = 0; bucket < table.size(); ++bucket) {
    const auto first = static_cast<std::uint32_t>(bucket << shift);
    const auto last = static_cast<std::uint32_t>(first + ((std::uint32_t{1} << shift) - 1));
    const std::size_t gap = blipGap(first, logKeep);
    table[bucket] = gap == blipGap(last, logKeep) && gap < kBlipExact ? static_cast<std::uint16_t>(gap) : kBlipExact;
  }
  return table;
}

void FilterHardener::blip(std::span<std::uint64_t> filter) const {
  // Nonce: a keyed SipHash of the filter, so equal filters get equal noise.
  unsigned char nonce[crypto_shorthash_BYTES];
  crypto_shorthash(nonce, reinterpret_cast<const unsigned char*>(filter.data()), filter.size() * sizeof(std::uint64_t),
                   blipKeys_ + crypto_stream_chacha20_KEYBYTES);
  KeyedStream stream(blipKeys_, nonce);
  // Flips are Bernoulli(f) per bit; the gaps between flips are geometric, so
  // drawing the gaps costs about f*L draws instead of L. Most draws find
  // their gap in the table; the rest (about 7% at f = 0.02) compute it.
  const std::size_t bits = filter.size() * 64;
  std::size_t position = 0;
  for (;;) {
    const std::uint32_t x = stream.next32();
    const std::uint16_t tabled = blipGaps_[x >> (32 - kBlipBucketBits)];
    position += tabled != kBlipExact ? tabled : blipGap(x, blipLogKeep_);
    if (position >= bits) break;
    filter[position >> 6] ^= std::uint64_t{1} << (position & 63);
    ++position;
  }
}

std::vector<std::uint64_t> FilterHardener::harden(std::span<const std::uint64_t> filter) const {
  std::vector<std::uint64_t> out;
  hardenInto(filter, out);
  return out;
}

void FilterHardener::hardenInto(std::span<const std::uint64_t> filter, std::vector<std::uint64_t>& out) const {
  if (filter.size() * 64 != inputBits_) {
    throw std::invalid_argument("hardening: expected a " + std::to_string(inputBits_) + "-bit filter, got " +
                                std::to_string(filter.size() * 64));
  }
  int folds = settings_.xorFolds;
  std::size_t length = filter.size();
  if (settings_.balance && folds > 0) {
    // Balance and fold once in one pass: no balanced intermediate.
    out.resize(length);
    const auto* in = reinterpret_cast<const std::uint8_t*>(filter.data());
    const FoldedByte* move = balanceFold_.data();
    // Each output word is assembled in a register (byte b of word w is folded
    // byte 8w + b): byte stores through a char pointer would make the
    // compiler reload everything after each one.
    const auto folded = [in](const FoldedByte& m) -> std::uint64_t {
      return kRotated[std::size_t{m.ra} + in[m.a]] ^ kRotated[std::size_t{m.rb} + in[m.b]];
    };
    for (std::size_t w = 0; w < length; ++w, move += 8) {
      // Written out: constant shifts, no loop counter.
      const std::uint64_t word = folded(move[0]) | folded(move[1]) << 8 | folded(move[2]) << 16 |
                                 folded(move[3]) << 24 | folded(move[4]) << 32 | folded(move[5]) << 40 |
                                 folded(move[6]) << 48 | folded(move[7]) << 56;
      out[w] = word ^ balanceFoldFlips_[w];
    }
    --folds;
  } else if (settings_.balance) {
    out = balance(filter);
    length = out.size();
  } else {
    out.assign(filter.begin(), filter.end());
  }
  length = foldInPlace(out, length, folds);
  out.resize(length);
  if (settings_.rule90) applyRule90(out);
  if (settings_.blipFlipProbability > 0) blip(out);
}

std::vector<std::uint64_t> xorFold(std::span<const std::uint64_t> filter) {
  if (filter.size() % 2 != 0) throw std::invalid_argument("xorFold: the filter's word count must be even");
  const std::size_t half = filter.size() / 2;
  std::vector<std::uint64_t> out(half);
  for (std::size_t i = 0; i < half; ++i) out[i] = filter[i] ^ filter[half + i];
  return out;
}

void applyRule90(std::span<std::uint64_t> filter) {
  // Word-parallel: left and right neighbours are the filter rotated by one bit
  // each way across word boundaries.
  // In place: only the previous word's original value and the first word's
  // (the last word's right neighbour) need keeping.
  const std::size_t n = filter.size();
  if (n == 0) return;
  const std::uint64_t firstWord = filter[0];
  std::uint64_t previousWord = filter[n - 1];
  for (std::size_t w = 0; w < n; ++w) {
    const std::uint64_t word = filter[w];
    const std::uint64_t nextWord = w + 1 < n ? filter[w + 1] : firstWord;
    const std::uint64_t left = (word << 1) | (previousWord >> 63);   // bit i <- bit i-1
    const std::uint64_t right = (word >> 1) | (nextWord << 63);      // bit i <- bit i+1
    filter[w] = left ^ right;
    previousWord = word;
  }
}

}  // namespace nser::linkage
