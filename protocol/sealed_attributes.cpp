#include "protocol/sealed_attributes.h"

#include <sodium.h>

#include "pki/pki_error.h"
#include "pki/secret_key_file.h"
#include "pki/signing_key.h"
#include "protocol/ingest_batch.h"
#include "protocol/json_reader.h"

namespace nser::protocol {

namespace {

constexpr std::string_view kFileTag = "nser-x25519-v1";
constexpr std::string_view kWhat = "box key";

// A std::string wiped when it goes out of scope (plaintext attribute values).
struct WipedString {
  std::string text;
  ~WipedString() {
    if (!text.empty()) sodium_memzero(text.data(), text.size());
  }
};

bool validUtf8(std::string_view text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    std::uint32_t codePoint = 0;
    if (byte < 0x80) {
      ++i;
      continue;
    } else if ((byte & 0xE0) == 0xC0) {
      length = 2;
      codePoint = byte & 0x1F;
    } else if ((byte & 0xF0) == 0xE0) {
      length = 3;
      codePoint = byte & 0x0F;
    } else if ((byte & 0xF8) == 0xF0) {
      length = 4;
      codePoint = byte & 0x07;
    } else {
      return false;
    }
    if (i + length > text.size()) return false;
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) return false;
      codePoint = (codePoint << 6) | (next & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    static constexpr std::uint32_t kMinimum[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (codePoint < kMinimum[length] || codePoint > 0x10FFFF || (codePoint >= 0xD800 && codePoint <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

void appendJsonString(std::string& out, std::string_view text) {
  static constexpr char kHex[] = "0123456789abcdef";
  out.push_back('"');
  for (char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) {
          out += "\\u00";
          out.push_back(kHex[(c >> 4) & 0xF]);
          out.push_back(kHex[c & 0xF]);
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

}  // namespace

BoxKeyPair BoxKeyPair::generate() {
  pki::ensureSodium();
  BoxKeyPair keys;
  keys.secret_ = pki::SecureBuffer(crypto_box_SECRETKEYBYTES);
  crypto_box_keypair(keys.publicKey_.data(), keys.secret_.data());
  return keys;
}

BoxKeyPair BoxKeyPair::load(const std::filesystem::path& file) {
  pki::ensureSodium();
  BoxKeyPair keys;
  keys.secret_ = pki::readSecretKeyFile(file, kFileTag, crypto_box_SECRETKEYBYTES, kWhat);
  crypto_scalarmult_base(keys.publicKey_.data(), keys.secret_.data());
  return keys;
}

void BoxKeyPair::save(const std::filesystem::path& file) const {
  if (secret_.empty()) throw pki::PkiError(file.string() + ": saving a moved-from BoxKeyPair");
  pki::writeSecretKeyFile(file, kFileTag, secret_.data(), crypto_box_SECRETKEYBYTES, kWhat);
}

BoxKeyPair BoxKeyPair::loadOrCreate(const std::filesystem::path& file) {
  if (std::filesystem::exists(file)) return load(file);
  BoxKeyPair keys = generate();
  try {
    keys.save(file);
  } catch (const pki::PkiError&) {
    if (std::filesystem::exists(file)) return load(file);  // lost a race: use the winner's key
    throw;
  }
  return keys;
}

std::string BoxKeyPair::publicKeyBase64() const { return pki::encodePublicKey(publicKey_); }

std::string canonicalAttributesJson(const std::map<std::string, std::string>& attributes) {
  std::string out = "{";
  for (const auto& [name, value] : attributes) {
    if (out.size() > 1) out.push_back(',');
    appendJsonString(out, name);
    out.push_back(':');
    appendJsonString(out, value);
  }
  out.push_back('}');
  return out;
}

std::string sealAttributes(const std::map<std::string, std::string>& attributes,
                           std::string_view recipientPublicKeyBase64) {
  pki::ensureSodium();
  const std::optional<pki::PublicKey> recipient = pki::decodePublicKey(recipientPublicKeyBase64);
  if (!recipient) throw ProtocolError("sealed attributes: the recipient key is not the base64 of a 32-byte X25519 key");
  for (const auto& [name, value] : attributes) {
    if (!validUtf8(name)) throw ProtocolError("sealed attributes: an attribute name is not valid UTF-8");
    if (!validUtf8(value)) throw ProtocolError("sealed attributes: the value of '" + name + "' is not valid UTF-8");
  }
  WipedString plaintext{canonicalAttributesJson(attributes)};
  std::string sealed(plaintext.text.size() + crypto_box_SEALBYTES, '\0');
  if (crypto_box_seal(reinterpret_cast<unsigned char*>(sealed.data()),
                      reinterpret_cast<const unsigned char*>(plaintext.text.data()), plaintext.text.size(),
                      recipient->data()) != 0) {
    throw ProtocolError("sealed attributes: crypto_box_seal failed");
  }
  return pki::toBase64(sealed);
}

std::map<std::string, std::string> openAttributes(std::string_view sealedBase64, const BoxKeyPair& keys) {
  if (keys.secret_.empty()) throw ProtocolError("sealed attributes: opening with a moved-from BoxKeyPair");
  if (sealedBase64.size() > kMaxSealedBytes / 3 * 4 + 4) {
    throw ProtocolError("sealed attributes: larger than " + std::to_string(kMaxSealedBytes) + " bytes");
  }
  const std::optional<std::string> sealed = pki::fromBase64(sealedBase64);
  if (!sealed) throw ProtocolError("sealed attributes: not base64");
  if (sealed->size() < crypto_box_SEALBYTES) throw ProtocolError("sealed attributes: too short to be a sealed box");
  WipedString plaintext{std::string(sealed->size() - crypto_box_SEALBYTES, '\0')};
  if (crypto_box_seal_open(reinterpret_cast<unsigned char*>(plaintext.text.data()),
                           reinterpret_cast<const unsigned char*>(sealed->data()), sealed->size(),
                           keys.publicKey_.data(), keys.secret_.data()) != 0) {
    throw ProtocolError("sealed attributes: cannot open (tampered with, or sealed to another key)");
  }
  std::map<std::string, std::string> attributes;
  // Any problem says only what kind it is: the text could quote a value.
  const auto notAnObjectOfStrings = [] {
    return ProtocolError("sealed attributes: the opened payload is not a JSON object of strings");
  };
  try {
    const JsonDocument document = JsonDocument::parse(plaintext.text);
    const JsonValue root = document.root();
    if (!root.isObject()) throw notAnObjectOfStrings();
    for (const JsonValue member : root) {
      if (!member.isString()) throw notAnObjectOfStrings();
      // A repeated name keeps its last value, as the parser this replaced did.
      attributes.insert_or_assign(std::string(member.key()), std::string(member.text()));
    }
  } catch (const JsonSyntaxError&) {
    throw notAnObjectOfStrings();
  }
  return attributes;
}

}  // namespace nser::protocol
