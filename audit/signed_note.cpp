#include "audit/signed_note.h"

#include <sodium.h>

namespace nser::audit {
namespace {

const std::string kEmDash = "\xE2\x80\x94";

bool validKeyName(std::string_view name) {
  if (name.empty()) return false;
  for (const char c : name) {
    if (c == '+' || c == ' ' || c == '\n' || static_cast<unsigned char>(c) < 0x21) return false;
  }
  return true;
}

}  // namespace

KeyId noteKeyId(std::string_view name, unsigned char type, const pki::PublicKey& key) {
  pki::ensureSodium();
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  crypto_hash_sha256_update(&state, reinterpret_cast<const unsigned char*>(name.data()), name.size());
  const unsigned char separator[2] = {0x0A, type};
  crypto_hash_sha256_update(&state, separator, 2);
  crypto_hash_sha256_update(&state, key.data(), key.size());
  unsigned char digest[32];
  crypto_hash_sha256_final(&state, digest);
  KeyId id;
  std::copy(digest, digest + 4, id.begin());
  return id;
}

VerifierKey makeVerifierKey(std::string_view name, unsigned char type, const pki::PublicKey& key) {
  if (!validKeyName(name)) throw NoteError("key name '" + std::string(name) + "' is not a valid note key name");
  return VerifierKey{std::string(name), type, noteKeyId(name, type, key), key};
}

std::string formatVerifierKey(const VerifierKey& key) {
  char hex[9];
  sodium_bin2hex(hex, sizeof hex, key.keyId.data(), key.keyId.size());
  std::string typed(1, static_cast<char>(key.type));
  typed.append(reinterpret_cast<const char*>(key.publicKey.data()), key.publicKey.size());
  return key.name + "+" + hex + "+" + pki::toBase64(typed);
}

VerifierKey parseVerifierKey(std::string_view text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) text.remove_suffix(1);
  const auto first = text.find('+');
  const auto second = first == std::string_view::npos ? first : text.find('+', first + 1);
  if (second == std::string_view::npos) throw NoteError("verifier key: expected name+keyid+key");
  const std::string_view name = text.substr(0, first);
  const std::string_view hex = text.substr(first + 1, second - first - 1);
  const auto typed = pki::fromBase64(text.substr(second + 1));
  if (!validKeyName(name)) throw NoteError("verifier key: invalid key name");
  if (!typed || typed->size() != 33) throw NoteError("verifier key: the key is not base64 of a type byte and 32 bytes");
  VerifierKey key;
  key.name = std::string(name);
  key.type = static_cast<unsigned char>((*typed)[0]);
  std::copy(typed->begin() + 1, typed->end(), key.publicKey.begin());
  if (key.type != kEd25519NoteType && key.type != kCosignatureV1Type) {
    throw NoteError("verifier key: unsupported key type " + std::to_string(key.type));
  }
  KeyId claimed{};
  std::size_t written = 0;
  if (hex.size() != 8 ||
      sodium_hex2bin(claimed.data(), claimed.size(), hex.data(), hex.size(), nullptr, &written, nullptr) != 0 ||
      written != 4) {
    throw NoteError("verifier key: key id is not 8 hex digits");
  }
  key.keyId = noteKeyId(key.name, key.type, key.publicKey);
  if (claimed != key.keyId) throw NoteError("verifier key: key id does not match the key");
  return key;
}

NoteSignature parseSignatureLine(std::string_view line) {
  if (!line.starts_with(kEmDash + " ")) throw NoteError("signature line does not start with '— '");
  line.remove_prefix(kEmDash.size() + 1);
  const auto space = line.find(' ');
  if (space == std::string_view::npos) throw NoteError("signature line has no signature");
  NoteSignature signature;
  signature.name = std::string(line.substr(0, space));
  if (!validKeyName(signature.name)) throw NoteError("signature line has an invalid key name");
  const auto bytes = pki::fromBase64(line.substr(space + 1));
  if (!bytes || bytes->size() < 5) throw NoteError("signature of '" + signature.name + "' is not valid base64");
  std::copy(bytes->begin(), bytes->begin() + 4, signature.keyId.begin());
  signature.signature = bytes->substr(4);
  return signature;
}

std::string formatSignatureLine(const NoteSignature& signature) {
  std::string bytes(reinterpret_cast<const char*>(signature.keyId.data()), 4);
  bytes += signature.signature;
  return kEmDash + " " + signature.name + " " + pki::toBase64(bytes) + "\n";
}

SignedNote parseNote(std::string_view text) {
  const auto split = text.rfind("\n\n");
  if (split == std::string_view::npos) throw NoteError("note: no blank line before the signatures");
  SignedNote note;
  note.body = std::string(text.substr(0, split + 1));
  std::string_view rest = text.substr(split + 2);
  if (rest.empty() || rest.back() != '\n') throw NoteError("note: the signature block must end with a newline");
  while (!rest.empty()) {
    const auto end = rest.find('\n');
    note.signatures.push_back(parseSignatureLine(rest.substr(0, end)));
    rest.remove_prefix(end + 1);
  }
  if (note.signatures.empty()) throw NoteError("note: no signatures");
  if (note.body.find("\n\n") != std::string::npos) throw NoteError("note: the body contains a blank line");
  return note;
}

std::string formatNote(const SignedNote& note) {
  std::string text = note.body + "\n";
  for (const auto& signature : note.signatures) text += formatSignatureLine(signature);
  return text;
}

NoteSignature signNote(std::string_view body, std::string_view name, const pki::SigningKey& key) {
  NoteSignature signature;
  signature.name = std::string(name);
  signature.keyId = noteKeyId(name, kEd25519NoteType, key.publicKey());
  signature.signature = key.sign(body);
  return signature;
}

bool verifyNote(const SignedNote& note, const VerifierKey& key) {
  if (key.type != kEd25519NoteType) return false;
  for (const auto& signature : note.signatures) {
    if (signature.name != key.name || signature.keyId != key.keyId) continue;
    if (signature.signature.size() == pki::kSignatureBytes &&
        pki::verifySignature(note.body, signature.signature, key.publicKey)) {
      return true;
    }
  }
  return false;
}

}  // namespace nser::audit
