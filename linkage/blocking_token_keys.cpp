#include "linkage/blocking_token_keys.h"

#include <array>
#include <cstring>

#include "linkage/blocking_key_hash.h"

namespace nser::linkage {
namespace {

constexpr std::size_t kMaxKinds = 4;
constexpr std::size_t kMaxTokensPerKind = 64;

std::uint64_t digestWord(const KeyedToken& token, std::size_t half) {
  std::uint64_t word = 0;
  std::memcpy(&word, token.digest.data() + half * 8, 8);
  return word;
}

}  // namespace

TokenKeyOutcome appendTokenBlockKeys(const TokenBlockSettings& settings, std::span<const KeyedToken> tokens,
                                     std::uint64_t salt, std::vector<std::uint64_t>& out) {
  TokenKeyOutcome outcome;
  const std::size_t kinds = settings.key.size();
  if (kinds == 0 || kinds > kMaxKinds) return outcome;

  // Per kind, the tokens of that kind. Records carry tens of tokens, so a
  // fixed buffer per kind avoids a heap allocation per record; tokens beyond
  // it count as truncation.
  std::array<std::array<const KeyedToken*, kMaxTokensPerKind>, kMaxKinds> ofKind;
  std::array<std::size_t, kMaxKinds> count{};
  for (std::size_t k = 0; k < kinds; ++k) {
    for (const auto& token : tokens) {
      if (token.kind != settings.key[k]) continue;
      if (count[k] == kMaxTokensPerKind) {
        outcome.truncated = true;
        break;
      }
      ofKind[k][count[k]++] = &token;
    }
    if (count[k] == 0) return outcome;  // a required kind is missing: no key
  }

  // Odometer over the combinations, first kind varying slowest.
  std::array<std::size_t, kMaxKinds> at{};
  while (true) {
    if (outcome.appended == settings.maxKeysPerRecord) {
      outcome.truncated = true;
      return outcome;
    }
    std::uint64_t key = salt;
    for (std::size_t k = 0; k < kinds; ++k) {
      const KeyedToken& token = *ofKind[k][at[k]];
      key = combineBlockKey(key, digestWord(token, 0));
      key = combineBlockKey(key, digestWord(token, 1));
    }
    out.push_back(key);
    ++outcome.appended;
    std::size_t k = kinds;
    while (k > 0) {
      --k;
      if (++at[k] < count[k]) break;
      at[k] = 0;
      if (k == 0) return outcome;
    }
  }
}

}  // namespace nser::linkage
