// LinkageSecret: the key shared by the connectors (never by the hub) from
// which every keyed encoding is derived: CLK hashing keys, keyed tokens,
// hardening permutations.
//
// The bytes live in libsodium guarded memory (sodium_malloc: guard pages,
// mlock'd, excluded from core dumps, zeroed on free) and are read-only after
// loading. The secret is never printed: the only thing that identifies it is
// fingerprint(), a keyed digest that reveals nothing about the bytes.
//
// Key epochs support rotation: every encoding carries the epoch and the
// fingerprint of the secret it was made with, and the hub rejects encodings of
// another epoch (docs/encoding-format.md).
//
// Thread-safe for concurrent reads once constructed. Move-only.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace nser::linkage {

class SecretError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class LinkageSecret {
 public:
  // Secrets shorter than this are refused unless explicitly allowed (the
  // published clkhash test vectors use the 6-byte secret "secret").
  static constexpr std::size_t kMinimumLength = 16;
  static constexpr std::size_t kMaximumLength = 4096;

  // Reads the secret from `path`. Refuses (SecretError naming the file, never
  // the content): a file that is not a regular file, a file readable or
  // writable by group or others (mode must be 0600 or 0400), an empty file,
  // and a secret shorter than kMinimumLength unless `allowShort`. One trailing
  // newline is stripped (editors add it).
  static LinkageSecret loadFromFile(const std::string& path, std::uint32_t epoch, bool allowShort = false);

  // From bytes already in memory (tests, key derivation tooling).
  static LinkageSecret fromBytes(std::span<const std::uint8_t> bytes, std::uint32_t epoch);

  LinkageSecret(LinkageSecret&& other) noexcept;
  LinkageSecret& operator=(LinkageSecret&& other) noexcept;
  LinkageSecret(const LinkageSecret&) = delete;
  LinkageSecret& operator=(const LinkageSecret&) = delete;
  ~LinkageSecret();

  std::span<const std::uint8_t> bytes() const { return {data_, size_}; }
  std::uint32_t epoch() const { return epoch_; }
  // 16 hex characters: BLAKE2b keyed with the secret over a fixed label.
  // Equal secrets give equal fingerprints; it cannot be inverted.
  const std::string& fingerprint() const { return fingerprint_; }

  // A subkey for one purpose (token hashing, hardening, ...):
  //   out = BLAKE2b(key = secret*, label || epoch as 4 little-endian bytes)
  // (* a secret longer than 64 bytes is first hashed to 64 bytes). Distinct
  // labels give independent keys; a new epoch re-keys everything.
  // `out` must be 16 to 64 bytes.
  void deriveSubkey(std::string_view label, std::span<unsigned char> out) const;

 private:
  LinkageSecret(std::span<const std::uint8_t> bytes, std::uint32_t epoch);
  void release() noexcept;

  std::uint8_t* data_ = nullptr;
  std::size_t size_ = 0;
  std::uint32_t epoch_ = 0;
  std::string fingerprint_;
};

}  // namespace nser::linkage
