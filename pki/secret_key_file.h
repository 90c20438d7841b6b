// Secret key files: one line "<tag> <standard base64 of the secret>\n".
//
// Shared by the Ed25519 signing keys (pki/signing_key.h, tag
// "nser-ed25519-v1", the 32-byte seed) and the X25519 box keys
// (protocol/sealed_attributes.h, tag "nser-x25519-v1", the 32-byte secret).
//
// Writing creates the file 0600 atomically and never replaces one (the
// check and the creation are one link(2)); a missing parent directory is
// created 0700. Reading refuses anything but a regular file with no group or
// other permission bits, and decodes straight into secure memory; the
// intermediate text is wiped. Failures throw PkiError naming the file and
// `what` ("signing key", "box key"), never the key.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string_view>

#include "pki/secure_memory.h"

namespace nser::pki {

SecureBuffer readSecretKeyFile(const std::filesystem::path& file, std::string_view tag, std::size_t size,
                               std::string_view what);

void writeSecretKeyFile(const std::filesystem::path& file, std::string_view tag, const unsigned char* secret,
                        std::size_t size, std::string_view what);

}  // namespace nser::pki
