// Keyed exact tokens: short keyed digests of normalised values (a CNIC, a
// phonetic key with a district, a birth year, ...) that let the hub find
// records sharing a value without being able to learn the value. Without the
// linkage secret a dictionary attack is impossible: every token is
// BLAKE2b-128 keyed with a subkey derived from the secret.
//
//   subkey = BLAKE2b-256(key = secret*, "nser/keyed-token/v1" || epoch_le32)
//   token  = BLAKE2b-128(key = subkey, kind_byte || value)
// (* secrets longer than 64 bytes are first hashed to 64 bytes.)
//
// The kind byte separates domains: equal strings of different kinds never
// give equal tokens. Thread-safe for concurrent use once constructed.
#pragma once

#include <sodium.h>

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "linkage/linkage_secret.h"

namespace nser::linkage {

// Stable on the wire and in storage: never renumber, only add.
enum class TokenKind : std::uint8_t {
  Cnic = 1,               // canonical 13-digit CNIC / B-form
  CnicDeletion = 2,       // a 12-digit string from the CNIC's one-deletion neighbourhood
  NamePhonetic = 3,       // phonetic key of the name proper
  NamePhoneticDistrict = 4,  // phonetic key + district code
  RelationPhonetic = 5,   // phonetic key of the father/husband name
  BirthYear = 6,
  BirthYearMonth = 7,
  BirthDate = 8,          // YYYY-MM-DD
  Phone = 9,              // canonical phone number
};

const char* tokenKindName(TokenKind kind);

struct KeyedToken {
  TokenKind kind = TokenKind::Cnic;
  std::array<std::uint8_t, 16> digest{};

  bool operator==(const KeyedToken&) const = default;
  std::string hex() const;
};

class KeyedTokenizer {
 public:
  explicit KeyedTokenizer(const LinkageSecret& secret);
  ~KeyedTokenizer();
  KeyedTokenizer(const KeyedTokenizer&) = delete;
  KeyedTokenizer& operator=(const KeyedTokenizer&) = delete;

  KeyedToken token(TokenKind kind, std::string_view value) const;

  // The CNIC token and the tokens of its one-deletion neighbourhood (each of
  // the 13 strings with one digit removed, duplicates removed), appended to
  // `out`. Two CNICs that differ by one substituted digit or one adjacent
  // transposition share at least one deletion token.
  void appendCnicTokens(std::string_view canonicalCnic, std::vector<KeyedToken>& out) const;

 private:
  // The 16-byte token of kind || value into `out`.
  void digestInto(TokenKind kind, std::string_view value, std::uint8_t* out) const;

  // BLAKE2b state right after keyed initialisation, copied for every token:
  // saves setting up the key block each time. Guarded memory (it is key
  // material). libsodium only buffers the key block here; it is compressed
  // together with the value when the token is finalised.
  crypto_generichash_state* keyedState_;
  // The same state with the key block already compressed, so a short token
  // costs one BLAKE2b compression instead of two (same output). libsodium has
  // no API for this state: it is reached by feeding 129 filler bytes (which
  // compresses the key block) and rewinding the buffered-byte count inside
  // the opaque state. That relies on libsodium's state layout, so the
  // constructor checks it against keyedState_ on probe values of every
  // length up to two blocks and leaves this null (the slower path) if any
  // token differs. Guarded memory. Values shorter than a block are written
  // straight into a copy's buffer (no update call); the probes check that
  // path too.
  crypto_generichash_state* compressedKeyState_ = nullptr;
};

// The distinct strings obtained by deleting exactly one character, in order
// of first appearance.
std::vector<std::string> oneDeletionNeighbourhood(std::string_view value);

}  // namespace nser::linkage
