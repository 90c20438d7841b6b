#include "audit/cosignature.h"

namespace nser::audit {

std::string cosignedMessage(std::string_view checkpointBody, std::uint64_t timestamp) {
  return "cosignature/v1\ntime " + std::to_string(timestamp) + "\n" + std::string(checkpointBody);
}

NoteSignature cosign(std::string_view checkpointBody, std::string_view witnessName, const pki::SigningKey& key,
                     std::uint64_t timestamp) {
  NoteSignature signature;
  signature.name = std::string(witnessName);
  signature.keyId = noteKeyId(witnessName, kCosignatureV1Type, key.publicKey());
  for (int shift = 56; shift >= 0; shift -= 8) signature.signature.push_back(static_cast<char>((timestamp >> shift) & 0xFF));
  signature.signature += key.sign(cosignedMessage(checkpointBody, timestamp));
  return signature;
}

std::optional<std::uint64_t> verifyCosignature(std::string_view checkpointBody, const NoteSignature& signature,
                                               const VerifierKey& witnessKey) {
  if (witnessKey.type != kCosignatureV1Type || signature.name != witnessKey.name ||
      signature.keyId != witnessKey.keyId || signature.signature.size() != 8 + pki::kSignatureBytes) {
    return std::nullopt;
  }
  std::uint64_t timestamp = 0;
  for (std::size_t i = 0; i < 8; ++i) timestamp = (timestamp << 8) | static_cast<unsigned char>(signature.signature[i]);
  if (!pki::verifySignature(cosignedMessage(checkpointBody, timestamp), signature.signature.substr(8),
                            witnessKey.publicKey)) {
    return std::nullopt;
  }
  return timestamp;
}

}  // namespace nser::audit
