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
constexpr std::size_t kBufferedCountOffset = 8 * 8 + 2 * 8 + 2 * 8 + 256;
static_assert(kBufferedCountOffset + sizeof(std::size_t) <= sizeof(crypto_generichash_state));

void digestWith(const crypto_generichash_state& keyed, TokenKind kind, std::string_view value,
                std::array<std::uint8_t, kDigestBytes>& out) {
  crypto_generichash_state state = keyed;
  const unsigned char kindByte = static_cast<unsigned char>(kind);
  unsigned char message[64];
  if (value.size() < sizeof(message)) {
    // kind || value in one update: the same bytes, one call fewer.
    message[0] = kindByte;
    std::memcpy(message + 1, value.data(), value.size());
    crypto_generichash_update(&state, message, value.size() + 1);
  } else {
    crypto_generichash_update(&state, &kindByte, 1);
    crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(value.data()), value.size());
  }
  crypto_generichash_final(&state, out.data(), out.size());
}

// From the keyed state (key block buffered), the state after compressing the
// key block with nothing buffered; false if the result does not reproduce
// the plain keyed BLAKE2b on the probes (an unexpected libsodium layout).
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
  digestWith(compressedKeyState_ != nullptr ? *compressedKeyState_ : *keyedState_, kind, value, out.digest);
  return out;
}

void KeyedTokenizer::appendCnicTokens(std::string_view canonicalCnic, std::vector<KeyedToken>& out) const {
  out.push_back(token(TokenKind::Cnic, canonicalCnic));
  // The same strings, in the same order, as oneDeletionNeighbourhood(), built
  // in a stack buffer: no allocation per deletion.
  char deleted[64];
  if (canonicalCnic.size() > sizeof(deleted)) {
    for (const auto& deletion : oneDeletionNeighbourhood(canonicalCnic)) {
      out.push_back(token(TokenKind::CnicDeletion, deletion));
    }
    return;
  }
  for (std::size_t i = 0; i < canonicalCnic.size(); ++i) {
    if (i > 0 && canonicalCnic[i] == canonicalCnic[i - 1]) continue;  // same string as the previous deletion
    std::memcpy(deleted, canonicalCnic.data(), i);
    std::memcpy(deleted + i, canonicalCnic.data() + i + 1, canonicalCnic.size() - i - 1);
    out.push_back(token(TokenKind::CnicDeletion, std::string_view(deleted, canonicalCnic.size() - 1)));
  }
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
