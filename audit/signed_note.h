// Signed notes (C2SP signed-note): a UTF-8 text body ending in a newline, a
// blank line, then one or more signature lines
//   "— <key name> <base64(4-byte key id || signature)>\n"   (— is U+2014)
// Key ids: the first 4 bytes of SHA-256(name || 0x0A || type || public key),
// type 0x01 for Ed25519 note signatures and 0x04 for tlog cosignatures
// (cosignature.h). Verifier keys are written "name+hex(key id)+base64(type || key)".
//
// Parsing throws NoteError naming what is malformed; verification returns
// whether a signature by the given key is present and valid.
#pragma once

#include <array>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "pki/signing_key.h"

namespace nser::audit {

class NoteError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

using KeyId = std::array<unsigned char, 4>;

inline constexpr unsigned char kEd25519NoteType = 0x01;
inline constexpr unsigned char kCosignatureV1Type = 0x04;

struct NoteSignature {
  std::string name;
  KeyId keyId{};
  std::string signature;  // the bytes after the key id
};

struct SignedNote {
  std::string body;  // ends with "\n"
  std::vector<NoteSignature> signatures;
};

struct VerifierKey {
  std::string name;
  unsigned char type = kEd25519NoteType;
  KeyId keyId{};
  pki::PublicKey publicKey{};
};

KeyId noteKeyId(std::string_view name, unsigned char type, const pki::PublicKey& key);
VerifierKey makeVerifierKey(std::string_view name, unsigned char type, const pki::PublicKey& key);
std::string formatVerifierKey(const VerifierKey& key);
// Throws NoteError unless `text` is a well-formed verifier key whose key id matches its key.
VerifierKey parseVerifierKey(std::string_view text);

SignedNote parseNote(std::string_view text);
std::string formatNote(const SignedNote& note);
std::string formatSignatureLine(const NoteSignature& signature);
// Parses one "— name base64" line (without its newline).
NoteSignature parseSignatureLine(std::string_view line);

// An Ed25519 note signature (type 0x01) of `body` by `key` under `name`.
NoteSignature signNote(std::string_view body, std::string_view name, const pki::SigningKey& key);
// True when `note` carries a valid type-0x01 signature by `key`.
bool verifyNote(const SignedNote& note, const VerifierKey& key);

}  // namespace nser::audit
