#include "linkage/clk_token_hasher.h"

#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>

namespace nser::linkage {

namespace {

constexpr std::size_t kBlakeDigestBytes = 64;  // BLAKE2b-512: 32 uint16 values per MAC
constexpr std::size_t kIndicesPerMac = 32;
constexpr std::size_t kPrecomputedSalts = 8;   // k <= 256 needs no state set-up per token

// clkhash: blake2b(..., salt=str(m).encode()); Python pads the salt with zeros to 16 bytes.
void initSaltedState(crypto_generichash_blake2b_state& state, std::span<const std::uint8_t> key, std::size_t mac) {
  std::array<unsigned char, crypto_generichash_blake2b_SALTBYTES> salt{};
  const std::string digits = std::to_string(mac);
  std::memcpy(salt.data(), digits.data(), std::min(digits.size(), salt.size()));
  crypto_generichash_blake2b_init_salt_personal(&state, key.data(), key.size(), kBlakeDigestBytes, salt.data(),
                                                nullptr);
}

// int.from_bytes(digest, 'big') % modulus, by Horner's rule (modulus < 2^32).
std::uint64_t bigEndianMod(const unsigned char* digest, std::size_t length, std::uint64_t modulus) {
  std::uint64_t remainder = 0;
  for (std::size_t i = 0; i < length; ++i) remainder = (remainder * 256 + digest[i]) % modulus;
  return remainder;
}

EVP_MAC_CTX* newHmac(const char* digestName, std::span<const std::uint8_t> key) {
  EVP_MAC* mac = EVP_MAC_fetch(nullptr, "HMAC", nullptr);
  if (mac == nullptr) return nullptr;
  EVP_MAC_CTX* ctx = EVP_MAC_CTX_new(mac);
  EVP_MAC_free(mac);  // the context keeps its own reference
  if (ctx == nullptr) return nullptr;
  std::string digest = digestName;
  OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest.data(), 0),
                         OSSL_PARAM_construct_end()};
  if (EVP_MAC_init(ctx, key.data(), key.size(), params) != 1) {
    EVP_MAC_CTX_free(ctx);
    return nullptr;
  }
  return ctx;
}

// HMAC of token || suffix with a context keyed earlier (re-initialised, not re-keyed).
std::size_t hmac(EVP_MAC_CTX* ctx, std::string_view token, std::string_view suffix, unsigned char* out) {
  std::size_t length = 0;
  EVP_MAC_init(ctx, nullptr, 0, nullptr);
  EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  if (!suffix.empty()) EVP_MAC_update(ctx, reinterpret_cast<const unsigned char*>(suffix.data()), suffix.size());
  EVP_MAC_final(ctx, out, &length, EVP_MAX_MD_SIZE);
  return length;
}

// Python's chr(i).encode() (UTF-8) for the singularity-prevention suffix.
std::string_view utf8OfCodePoint(std::uint32_t cp, char (&buffer)[4]) {
  if (cp < 0x80) {
    buffer[0] = static_cast<char>(cp);
    return {buffer, 1};
  }
  if (cp < 0x800) {
    buffer[0] = static_cast<char>(0xC0 | (cp >> 6));
    buffer[1] = static_cast<char>(0x80 | (cp & 0x3F));
    return {buffer, 2};
  }
  buffer[0] = static_cast<char>(0xE0 | (cp >> 12));
  buffer[1] = static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
  buffer[2] = static_cast<char>(0x80 | (cp & 0x3F));
  return {buffer, 3};
}

}  // namespace

TokenHashScratch::~TokenHashScratch() { release(); }

TokenHashScratch::TokenHashScratch(TokenHashScratch&& other) noexcept
    : sha1_(std::exchange(other.sha1_, nullptr)),
      md5_(std::exchange(other.md5_, nullptr)),
      cacheTokens_(other.cacheTokens_),
      cache_(std::move(other.cache_)) {}

TokenHashScratch& TokenHashScratch::operator=(TokenHashScratch&& other) noexcept {
  if (this != &other) {
    release();
    sha1_ = std::exchange(other.sha1_, nullptr);
    md5_ = std::exchange(other.md5_, nullptr);
    cacheTokens_ = other.cacheTokens_;
    cache_ = std::move(other.cache_);
  }
  return *this;
}

void TokenHashScratch::release() noexcept {
  EVP_MAC_CTX_free(sha1_);  // OpenSSL cleanses HMAC contexts when freeing them
  EVP_MAC_CTX_free(md5_);
  sha1_ = md5_ = nullptr;
}

ClkTokenHasher::ClkTokenHasher(const HashConfig& hash, std::span<const std::uint8_t> key0,
                               std::span<const std::uint8_t> key1, std::size_t hashBits)
    : hash_(hash), hashBits_(hashBits) {
  if (hashBits == 0 || hashBits > (std::size_t{1} << 32)) {
    throw std::invalid_argument("filter length must be between 1 and 2^32 bits");
  }
  if (hash.type == HashType::Blake) {
    if ((hashBits & (hashBits - 1)) != 0) {
      throw std::invalid_argument("blakeHash needs a filter length (l * 2^xorFolds) that is a power of two, got " +
                                  std::to_string(hashBits));
    }
    if (key0.empty() || key0.size() > crypto_generichash_blake2b_KEYBYTES_MAX) {
      throw std::invalid_argument("blakeHash needs a keySize between 1 and 64 bytes");
    }
    if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
    key0_.assign(key0.begin(), key0.end());
    saltedStates_.resize(kPrecomputedSalts);
    for (std::size_t mac = 0; mac < kPrecomputedSalts; ++mac) initSaltedState(saltedStates_[mac], key0_, mac);
  } else {
    hmacKey0_ = key0;
    hmacKey1_ = key1;
  }
}

ClkTokenHasher::~ClkTokenHasher() {
  if (!key0_.empty()) sodium_memzero(key0_.data(), key0_.size());
  if (!saltedStates_.empty()) {
    sodium_memzero(saltedStates_.data(), saltedStates_.size() * sizeof(crypto_generichash_blake2b_state));
  }
}

ClkTokenHasher::ClkTokenHasher(ClkTokenHasher&&) noexcept = default;
ClkTokenHasher& ClkTokenHasher::operator=(ClkTokenHasher&&) noexcept = default;

void ClkTokenHasher::blakeDigest(std::string_view token, std::size_t mac, unsigned char* out) const {
  crypto_generichash_blake2b_state state;
  if (mac < saltedStates_.size()) {
    state = saltedStates_[mac];  // copying the keyed state saves the key set-up per token
  } else {
    initSaltedState(state, key0_, mac);
  }
  crypto_generichash_blake2b_update(&state, reinterpret_cast<const unsigned char*>(token.data()), token.size());
  crypto_generichash_blake2b_final(&state, out, kBlakeDigestBytes);
  sodium_memzero(&state, sizeof(state));
}

void ClkTokenHasher::prepareHmac(TokenHashScratch& scratch) const {
  if (scratch.sha1_ != nullptr) return;
  scratch.sha1_ = newHmac("SHA1", hmacKey0_);
  scratch.md5_ = newHmac("MD5", hmacKey1_);
  if (scratch.sha1_ == nullptr || scratch.md5_ == nullptr) {
    scratch.release();
    throw std::runtime_error("OpenSSL cannot provide HMAC-SHA1/HMAC-MD5 for doubleHash");
  }
}

template <class Sink>
void ClkTokenHasher::forEachIndex(std::string_view token, int k, TokenHashScratch& scratch, Sink&& sink) const {
  if (k <= 0) return;
  const auto count = static_cast<std::size_t>(k);
  TokenDigestCache* cache = nullptr;
  const TokenDigestCache::Payload* cached = nullptr;
  if (scratch.cacheTokens_ && TokenDigestCache::cacheable(token)) {
    if (!scratch.cache_) scratch.cache_ = std::make_unique<TokenDigestCache>();
    cache = scratch.cache_.get();
    cached = cache->find(token);
  }
  if (hash_.type == HashType::Blake) {
    const auto mask = static_cast<std::uint32_t>(hashBits_ - 1);  // power of two: mod is a mask
    // The 32 little-endian uint16 values of one digest (struct.unpack('32H')).
    std::uint16_t values[kIndicesPerMac];
    static_assert(sizeof(values) == kBlakeDigestBytes && kBlakeDigestBytes == TokenDigestCache::kPayloadBytes);
    static_assert(std::endian::native == std::endian::little, "digest bytes are read as native uint16 values");
    bool computed = false;  // a digest computed here (not only copied from the cache) is wiped below
    for (std::size_t mac = 0; mac * kIndicesPerMac < count; ++mac) {
      if (mac == 0 && cached != nullptr) {
        std::memcpy(values, cached->data(), sizeof(values));
      } else {
        unsigned char digest[kBlakeDigestBytes];
        blakeDigest(token, mac, digest);
        std::memcpy(values, digest, sizeof(values));
        if (mac == 0 && cache != nullptr) {
          TokenDigestCache::Payload payload;
          std::memcpy(payload.data(), digest, sizeof(digest));
          cache->insert(token, payload);
        }
        sodium_memzero(digest, sizeof(digest));
        computed = true;
      }
      const std::size_t end = std::min(count - mac * kIndicesPerMac, kIndicesPerMac);
      for (std::size_t j = 0; j < end; ++j) sink(static_cast<std::uint32_t>(values[j]) & mask);
    }
    // A cached digest stays in the cache (wiped when it is destroyed), so only
    // a freshly computed one needs wiping here.
    if (computed) sodium_memzero(values, sizeof(values));
    return;
  }
  const std::uint64_t l = hashBits_;
  std::uint64_t h1 = 0;
  std::uint64_t h2 = 0;
  if (cached != nullptr) {
    std::uint32_t pair[2];
    std::memcpy(pair, cached->data(), sizeof(pair));
    h1 = pair[0];
    h2 = pair[1];
  } else {
    prepareHmac(scratch);
    unsigned char digest[EVP_MAX_MD_SIZE];
    std::size_t length = hmac(scratch.sha1_, token, {}, digest);
    h1 = bigEndianMod(digest, length, l);
    length = hmac(scratch.md5_, token, {}, digest);
    h2 = bigEndianMod(digest, length, l);
    if (hash_.preventSingularity) {
      char suffix[4];
      for (std::uint32_t i = 0; h2 == 0; ++i) {
        length = hmac(scratch.md5_, token, utf8OfCodePoint(i, suffix), digest);
        h2 = bigEndianMod(digest, length, l);
      }
    }
    if (cache != nullptr) {
      TokenDigestCache::Payload payload{};
      const std::uint32_t pair[2] = {static_cast<std::uint32_t>(h1), static_cast<std::uint32_t>(h2)};
      std::memcpy(payload.data(), pair, sizeof(pair));
      cache->insert(token, payload);
    }
  }
  for (std::uint64_t j = 0; j < count; ++j) sink(static_cast<std::uint32_t>((h1 + j * h2) % l));
}

void ClkTokenHasher::insert(std::string_view token, int k, TokenHashScratch& scratch, BloomFilter& filter) const {
  forEachIndex(token, k, scratch, [&](std::uint32_t index) { filter.set(index); });
}

std::vector<std::uint32_t> ClkTokenHasher::indices(std::string_view token, int k, TokenHashScratch& scratch) const {
  std::vector<std::uint32_t> result;
  forEachIndex(token, k, scratch, [&](std::uint32_t index) { result.push_back(index); });
  return result;
}

}  // namespace nser::linkage
