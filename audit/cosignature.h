// Witness cosignatures (C2SP tlog-cosignature, version 1). A witness that has
// verified a checkpoint signs
//   "cosignature/v1\ntime <unix seconds>\n" || <checkpoint body>
// with its Ed25519 key; the note signature line carries
//   base64(key id (type 0x04) || timestamp (8 bytes big-endian) || signature (64 bytes)).
// The log publishes cosignatures as extra signature lines of its checkpoint.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "audit/signed_note.h"

namespace nser::audit {

std::string cosignedMessage(std::string_view checkpointBody, std::uint64_t timestamp);
NoteSignature cosign(std::string_view checkpointBody, std::string_view witnessName, const pki::SigningKey& key,
                     std::uint64_t timestamp);
// The cosignature's timestamp when `signature` is a valid cosignature of
// `checkpointBody` by `witnessKey` (type 0x04), else nullopt.
std::optional<std::uint64_t> verifyCosignature(std::string_view checkpointBody, const NoteSignature& signature,
                                               const VerifierKey& witnessKey);

}  // namespace nser::audit
