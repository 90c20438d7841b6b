// Hardening transforms for Bloom-filter encodings, against the published
// frequency, pattern-mining and graph-matching attacks that re-identify
// values from unhardened filters. Each is optional, deterministic for a given
// secret and input (so re-encoding a record gives the same encoding), and
// documented with its cost in docs/hardening.md.
//
// Filters are little-endian bit arrays in 64-bit words: bit i is bit (i % 64)
// of word i / 64. Lengths are in bits and always a multiple of 64.
//
//  - balance:  append the complement, then apply a keyed permutation (of
//              bytes, each keyed-rotated); every filter gets exactly half its
//              bits set (length doubles), which hides the number of q-grams
//              and flattens bit frequencies.
//  - xorFold:  XOR the two halves (length halves); breaks the link between
//              a bit and the q-grams that set it.
//  - rule90:   b'[i] = b[i-1] XOR b[i+1] (cyclic), the elementary cellular
//              automaton rule 90: diffuses each q-gram over several bits.
//  - blip:     randomised response (BLIP): each bit flipped with probability
//              f, driven by a keyed ChaCha20 stream whose nonce is a keyed
//              SipHash of the filter itself, so equal inputs stay equal while
//              bit patterns get noise.
//
// Record-level salting (mixing a per-record value such as the birth year into
// the hashing key) happens during encoding, not here: see the encoder.
#pragma once

#include <sodium.h>

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "linkage/linkage_secret.h"

namespace nser::linkage {

struct HardeningSettings {
  bool balance = false;
  int xorFolds = 0;           // applied after balancing
  bool rule90 = false;        // applied after folding
  double blipFlipProbability = 0;  // in [0, 0.5); applied last

  bool any() const { return balance || xorFolds > 0 || rule90 || blipFlipProbability > 0; }
  // Length in bits of a hardened filter made from one of `inputBits`.
  std::size_t outputBits(std::size_t inputBits) const;
};

// Holds the keyed material derived from the secret for filters of one input
// length (the balancing permutation, the BLIP key). Thread-safe once
// constructed.
class FilterHardener {
 public:
  // Throws std::invalid_argument when `inputBits` is not a positive multiple
  // of 64, the folds would leave a half that is not a multiple of 64, or the
  // BLIP probability is outside [0, 0.5).
  FilterHardener(const LinkageSecret& secret, HardeningSettings settings, std::size_t inputBits);
  ~FilterHardener();
  FilterHardener(const FilterHardener&) = delete;
  FilterHardener& operator=(const FilterHardener&) = delete;

  const HardeningSettings& settings() const { return settings_; }

  std::size_t inputBits() const { return inputBits_; }
  std::size_t outputBits() const { return settings_.outputBits(inputBits_); }

  // Applies the configured transforms in order balance, xor-fold, rule 90,
  // BLIP. `filter` must have inputBits() bits.
  std::vector<std::uint64_t> harden(std::span<const std::uint64_t> filter) const;
  // The same into `out` (resized to outputBits() / 64): no allocation once
  // `out` has the capacity, which is how the encoder calls it per record.
  // `filter` must not alias `out`.
  // Balancing and the first fold run as one pass over precomputed byte
  // moves; the result is identical to balance() then xorFold().
  void hardenInto(std::span<const std::uint64_t> filter, std::vector<std::uint64_t>& out) const;

  // The individual steps, exposed for measurement and tests.
  std::vector<std::uint64_t> balance(std::span<const std::uint64_t> filter) const;

  // Record-level salting: moves bit p to (a*p + b) mod L, with a (coprime to
  // L) and b derived from the key and `salt` (e.g. the birth year). Equal
  // salts give the same permutation, so records are comparable only within a
  // salt value; across salt values the same q-gram lands on unrelated bits,
  // which defeats frequency attacks pooled over the whole dataset. Applied
  // before the other transforms; an empty salt leaves the filter unchanged.
  std::vector<std::uint64_t> saltPermute(std::span<const std::uint64_t> filter, std::string_view salt) const;
  void blip(std::span<std::uint64_t> filter) const;

  // BLIP's gap before the next flip for the 32-bit draw x, geometric with
  // parameter f by inversion: floor(log((x + 1) / 2^32) / log(1 - f)).
  static std::size_t blipGap(std::uint32_t draw, double logKeep);
  // The gaps by the top kBlipBucketBits bits of the draw, where every draw
  // of the bucket has the same gap; kBlipExact where not (blip() computes
  // those). Exposed for tests.
  static constexpr unsigned kBlipBucketBits = 12;
  static constexpr std::uint16_t kBlipExact = 0xFFFF;
  static std::vector<std::uint16_t> blipGapTable(double logKeep);

 private:
  HardeningSettings settings_;
  std::size_t inputBits_;
  unsigned char* key_;                        // 32 bytes of guarded memory
  crypto_generichash_state* keyedState_ = nullptr;  // BLAKE2b keyed with key_, 32-byte output (guarded)
  unsigned char* blipKeys_ = nullptr;               // ChaCha20 key || SipHash key for BLIP (guarded)
  std::vector<std::uint32_t> permutation_;  // balancing: output byte i <- byte permutation_[i] of filter || complement
  std::vector<std::uint8_t> rotation_;      // balancing: ... rotated left by rotation_[i]
  // Balancing followed by one fold, as byte moves: folded byte j is
  // rotl(in[a], ra) ^ rotl(in[b], rb) ^ flip, where a and b are the input
  // bytes behind balanced bytes j and j + L/8 and flip folds their complements.
  // The rotations are looked up in a 256-entry table per rotation (ra and rb
  // hold the table offsets, rotation * 256), and the flips are applied a
  // word at a time.
  struct FoldedByte {
    std::uint32_t a;
    std::uint32_t b;
    std::uint16_t ra;
    std::uint16_t rb;
  };
  std::vector<FoldedByte> balanceFold_;
  std::vector<std::uint64_t> balanceFoldFlips_;  // per folded word
  double blipLogKeep_ = 0;  // log(1 - f)
  std::vector<std::uint16_t> blipGaps_;
};

// Halves the filter; its word count must be even.
std::vector<std::uint64_t> xorFold(std::span<const std::uint64_t> filter);
void applyRule90(std::span<std::uint64_t> filter);

}  // namespace nser::linkage
