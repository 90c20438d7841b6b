#include "linkage/keyed_token.h"

#include <sodium.h>

#include <algorithm>
#include <tuple>
#include <cstring>

namespace nser::linkage {

namespace {
constexpr std::size_t kSubkeyBytes = 32;
constexpr char kSubkeyLabel[] = "nser/keyed-token/v1";
constexpr std::size_t kDigestBytes = std::tuple_size_v<decltype(KeyedToken::digest)>;

// libsodium 1.0.x keeps BLAKE2b's state as {u64 h[8], t[2], f[2]; u8
// buf[256]; size_t buflen; u8 last_node} (packed) inside the opaque bytes;
// buflen is the count of buffered, not yet compressed, input bytes.
constexpr std::size_t kBufferOffset = 8 * 8 + 2 * 8 + 2 * 8;
constexpr std::size_t kBufferedCountOffset = kBufferOffset + 256;
static_assert(kBufferedCountOffset + sizeof(std::size_t) <= sizeof(crypto_generichash_state));
// Inputs (kind byte included) up to one block go straight into the buffer.
constexpr std::size_t kDirectBytes = 128;

// memcpy of a view's bytes; an empty view may have no data pointer at all,
// which memcpy may not be given even for zero bytes.
void copyView(unsigned char* to, std::string_view from) {
  if (!from.empty()) std::memcpy(to, from.data(), from.size());
}

// The token through libsodium's public calls only: the reference for the
// direct path below, and the path for long values.
void digestWith(const crypto_generichash_state& keyed, TokenKind kind, std::string_view value,
                std::array<std::uint8_t, kDigestBytes>& out) {
  crypto_generichash_state state = keyed;
  const unsigned char kindByte = static_cast<unsigned char>(kind);
  unsigned char message[64];
  if (value.size() < sizeof(message)) {
    // kind || value in one update: the same bytes, one call fewer.
    message[0] = kindByte;
    copyView(message + 1, value);
    crypto_generichash_update(&state, message, value.size() + 1);
  } else {
    crypto_generichash_update(&state, &kindByte, 1);
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(value.data()), value.size());
  }
  crypto_generichash_final(&state, out.data(), out.size());
}

// From the compressed-key state (nothing buffered): kind || head || tail
// written straight into the state's buffer with its count, which is what
// crypto_generichash_update leaves there for an input of at most one block
// (it buffers up to two blocks before compressing anything). Saves the update
// call and the staging copies per token; final pads the buffer from the
// count on, compresses and wipes as usual, so only the chaining values and
// counters (and the fields after the buffer) are copied from `compressed`,
// not its 256-byte buffer. Same layout reliance as the compressed state,
// checked with it.
template <class Fill>
void digestDirectFilled(const crypto_generichash_state& compressed, TokenKind kind, std::size_t length, Fill&& fill,
                        std::uint8_t* out) {
  crypto_generichash_state state;
  auto* bytes = reinterpret_cast<unsigned char*>(&state);
  const auto* from = reinterpret_cast<const unsigned char*>(&compressed);
  std::memcpy(bytes, from, kBufferOffset);
  std::memcpy(bytes + kBufferedCountOffset, from + kBufferedCountOffset, sizeof(state) - kBufferedCountOffset);
  bytes[kBufferOffset] = static_cast<unsigned char>(kind);
  // `fill` writes the `length` value bytes at the pointer; it may write
  // further (up to 64 bytes in all, still inside the 256-byte buffer): final
  // zero-pads the buffer from the count on.
  fill(bytes + kBufferOffset + 1);
  const std::size_t buffered = length + 1;
  std::memcpy(bytes + kBufferedCountOffset, &buffered, sizeof(buffered));
  crypto_generichash_final(&state, out, kDigestBytes);
}

void digestDirect(const crypto_generichash_state& compressed, TokenKind kind, std::string_view head,
                  std::string_view tail, std::uint8_t* out) {
  digestDirectFilled(
      compressed, kind, head.size() + tail.size(),
      [&](unsigned char* to) {
        copyView(to, head);
        copyView(to + head.size(), tail);
      },
      out);
}

// From the keyed state (key block buffered), the state after compressing the
// key block with nothing buffered; false if the result, on the direct path
// or through update, does not reproduce the plain keyed BLAKE2b on the
// probes (an unexpected libsodium layout).
bool deriveCompressedKeyState(const crypto_generichash_state& keyed, crypto_generichash_state& out) {
  out = keyed;
  // More than one block beyond the buffered key block makes libsodium
  // compress the key block (counter 128) and buffer the 129 filler bytes...
  const unsigned char filler[129] = {};
  crypto_generichash_update(&out, filler, sizeof(filler));
  // ... which are then forgotten.
  const std::size_t none = 0;
  std::memcpy(reinterpret_cast<unsigned char*>(&out) + kBufferedCountOffset, &none, sizeof(none));
  unsigned char probe[300];
  for (std::size_t i = 0; i < sizeof(probe); ++i) probe[i] = static_cast<unsigned char>(i * 37 + 11);
  for (std::size_t length = 0; length <= sizeof(probe); ++length) {
    const std::string_view value(reinterpret_cast<const char*>(probe), length);
    std::array<std::uint8_t, kDigestBytes> expected{};
    std::array<std::uint8_t, kDigestBytes> actual{};
    digestWith(keyed, TokenKind::CnicDeletion, value, expected);
    digestWith(out, TokenKind::CnicDeletion, value, actual);
    if (expected != actual) return false;
    if (length + 1 <= kDirectBytes) {
      // Split the value as the deletion tokens do: everywhere for short
      // values (CNIC-sized), at the ends and the middle for longer ones.
      for (std::size_t split = 0; split <= length; ++split) {
        if (length > 16 && split > 1 && split != length / 2 && split + 1 < length) continue;
        digestDirect(out, TokenKind::CnicDeletion, value.substr(0, split), value.substr(split), actual.data());
        if (expected != actual) return false;
      }
    }
  }
  return true;
}
}  // namespace

const char* tokenKindName(TokenKind kind) {
  switch (kind) {
    case TokenKind::Cnic: return "cnic";
    case TokenKind::CnicDeletion: return "cnic_deletion";
    case TokenKind::NamePhonetic: return "name_phonetic";
    case TokenKind::NamePhoneticDistrict: return "name_phonetic_district";
    case TokenKind::RelationPhonetic: return "relation_phonetic";
    case TokenKind::BirthYear: return "birth_year";
    case TokenKind::BirthYearMonth: return "birth_year_month";
    case TokenKind::BirthDate: return "birth_date";
    case TokenKind::Phone: return "phone";
  }
  return "unknown";
}

std::string KeyedToken::hex() const {
  char out[sizeof(digest) * 2 + 1];
  sodium_bin2hex(out, sizeof(out), digest.data(), digest.size());
  return out;
}

KeyedTokenizer::KeyedTokenizer(const LinkageSecret& secret) {
  auto* subkey = static_cast<unsigned char*>(sodium_malloc(kSubkeyBytes));
  keyedState_ = static_cast<crypto_generichash_state*>(sodium_malloc(sizeof(crypto_generichash_state)));
  if (subkey == nullptr || keyedState_ == nullptr) {
    sodium_free(subkey);
    sodium_free(keyedState_);
    throw SecretError("cannot allocate guarded memory for the token key");
  }
  secret.deriveSubkey(kSubkeyLabel, {subkey, kSubkeyBytes});
  crypto_generichash_init(keyedState_, subkey, kSubkeyBytes, kDigestBytes);
  sodium_free(subkey);
  compressedKeyState_ = static_cast<crypto_generichash_state*>(sodium_malloc(sizeof(crypto_generichash_state)));
  if (compressedKeyState_ != nullptr && !deriveCompressedKeyState(*keyedState_, *compressedKeyState_)) {
    sodium_free(compressedKeyState_);  // wipes it
    compressedKeyState_ = nullptr;
  }
  if (compressedKeyState_ != nullptr) sodium_mprotect_readonly(compressedKeyState_);
  sodium_mprotect_readonly(keyedState_);
}

KeyedTokenizer::~KeyedTokenizer() {
  sodium_free(compressedKeyState_);
  sodium_free(keyedState_);
}

KeyedToken KeyedTokenizer::token(TokenKind kind, std::string_view value) const {
  KeyedToken out;
  out.kind = kind;
  digestInto(kind, value, out.digest.data());
  return out;
}

void KeyedTokenizer::digestInto(TokenKind kind, std::string_view value, std::uint8_t* out) const {
  if (compressedKeyState_ != nullptr && value.size() < kDirectBytes) {
    digestDirectFilled(
        *compressedKeyState_, kind, value.size(), [&](unsigned char* to) { copyView(to, value); },
        out);
    return;
  }
  std::array<std::uint8_t, kDigestBytes> digest{};
  digestWith(compressedKeyState_ != nullptr ? *compressedKeyState_ : *keyedState_, kind, value, digest);
  std::memcpy(out, digest.data(), digest.size());
  sodium_memzero(digest.data(), digest.size());
}

void KeyedTokenizer::appendCnicTokens(std::string_view canonicalCnic, std::vector<KeyedToken>& out) const {
  // The same strings, in the same order, as oneDeletionNeighbourhood(), and
  // every digest written in place: no allocation or copy per token once
  // `out` has the capacity. On the direct path a deletion is written into
  // the BLAKE2b buffer as the two pieces around the deleted digit.
  std::size_t count = 1;
  for (std::size_t i = 0; i < canonicalCnic.size(); ++i) {
    if (i == 0 || canonicalCnic[i] != canonicalCnic[i - 1]) ++count;
  }
  std::size_t next = out.size();
  out.resize(next + count);
  out[next].kind = TokenKind::Cnic;
  digestInto(TokenKind::Cnic, canonicalCnic, out[next].digest.data());
  const bool direct = compressedKeyState_ != nullptr && canonicalCnic.size() < kDirectBytes;
  // A CNIC (13 digits) fits a zero-padded 32-byte copy, from which every
  // deletion is two fixed 16-byte moves (the digits before the deleted one,
  // then those after it, over the rest) instead of two variable-length copies.
  constexpr std::size_t kShort = 16;
  unsigned char padded[2 * kShort] = {};
  const bool shortCnic = direct && canonicalCnic.size() <= kShort;
  if (shortCnic) copyView(padded, canonicalCnic);
  std::string deleted;
  for (std::size_t i = 0; i < canonicalCnic.size(); ++i) {
    if (i > 0 && canonicalCnic[i] == canonicalCnic[i - 1]) continue;  // same string as the previous deletion
    KeyedToken& token = out[++next];
    token.kind = TokenKind::CnicDeletion;
    if (shortCnic) {
      digestDirectFilled(
          *compressedKeyState_, TokenKind::CnicDeletion, canonicalCnic.size() - 1,
          [&](unsigned char* to) {
            std::memcpy(to, padded, kShort);
            std::memcpy(to + i, padded + i + 1, kShort);
          },
          token.digest.data());
    } else if (direct) {
      digestDirect(*compressedKeyState_, TokenKind::CnicDeletion, canonicalCnic.substr(0, i),
                   canonicalCnic.substr(i + 1), token.digest.data());
    } else {
      deleted.assign(canonicalCnic.substr(0, i)).append(canonicalCnic.substr(i + 1));
      digestInto(TokenKind::CnicDeletion, deleted, token.digest.data());
    }
  }
  if (shortCnic) sodium_memzero(padded, sizeof(padded));
}

std::vector<std::string> oneDeletionNeighbourhood(std::string_view value) {
  std::vector<std::string> result;
  result.reserve(value.size());
  for (std::size_t i = 0; i < value.size(); ++i) {
    // Deleting any character of a run gives the same string: keep the first.
    if (i > 0 && value[i] == value[i - 1]) continue;
    std::string deleted;
    deleted.reserve(value.size() - 1);
    deleted.append(value.substr(0, i));
    deleted.append(value.substr(i + 1));
    result.push_back(std::move(deleted));
  }
  return result;
}

}  // namespace nser::linkage
