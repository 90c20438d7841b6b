// EncodedRecord: what a connector sends the hub for one source record, and
// what `nser encode` writes. It carries no plaintext: only the record's
// pseudonymous id, keyed Bloom filters and keyed tokens.
//
// The binary layout (cereal portable binary) is specified in
// docs/encoding-format.md; serialize() below is that layout. Changing it means
// bumping kEncodingFormatVersion.
#pragma once

#include <cereal/types/array.hpp>
#include <cereal/types/string.hpp>
#include <cereal/types/vector.hpp>
#include <cstdint>
#include <string>
#include <vector>

#include "linkage/keyed_token.h"

namespace nser::linkage {

inline constexpr std::uint32_t kEncodingFormatVersion = 1;

// A Bloom filter as little-endian 64-bit words: bit i is bit (i % 64) of word i / 64.
using FilterWords = std::vector<std::uint64_t>;

// Quality flags of the identifying data, carried so the hub can weigh evidence.
// Values are stable on the wire: only add.
enum EncodedRecordFlag : std::uint32_t {
  kFlagCnicMissing = 1u << 0,
  kFlagCnicInvalid = 1u << 1,
  kFlagCnicGenderMismatch = 1u << 2,
  kFlagCnicProvinceUnknown = 1u << 3,
  kFlagBirthDatePartial = 1u << 4,
  kFlagBirthDateDefaulted = 1u << 5,
  kFlagNameMissing = 1u << 6,
};

struct EncodedRecord {
  std::string id;                       // pseudonymous record reference (or the source id in offline use)
  FilterWords clk;                      // the record-level CLK (hardened)
  std::vector<FilterWords> fieldFilters;  // one per schema feature, same order as the header's fields
  std::vector<KeyedToken> tokens;
  std::uint32_t flags = 0;

  template <class Archive>
  void serialize(Archive& archive) {
    archive(id, clk, fieldFilters, tokens, flags);
  }
};

template <class Archive>
void serialize(Archive& archive, KeyedToken& token) {
  auto kind = static_cast<std::uint8_t>(token.kind);
  archive(kind, token.digest);
  token.kind = static_cast<TokenKind>(kind);
}

// Describes every record of an encoding file or ingest batch: which schema
// and key made it, and the shape of its filters.
struct EncodingHeader {
  std::uint32_t formatVersion = kEncodingFormatVersion;
  std::string schemaId;          // the linkage schema's declared id
  std::string schemaDigest;      // SHA-256 (hex) of the schema document's canonical form
  std::uint32_t keyEpoch = 0;
  std::string keyFingerprint;    // LinkageSecret::fingerprint()
  std::uint32_t clkBits = 0;
  std::vector<std::string> fieldNames;
  std::vector<std::uint32_t> fieldBits;
  std::string hardening;         // human-readable summary of the hardening applied

  template <class Archive>
  void serialize(Archive& archive) {
    archive(formatVersion, schemaId, schemaDigest, keyEpoch, keyFingerprint, clkBits, fieldNames, fieldBits, hardening);
  }
};

}  // namespace nser::linkage
