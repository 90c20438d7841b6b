// randomUuid: a random (version 4, RFC 9562) UUID in its canonical lowercase
// text form, e.g. "3f2a9c1e-7b4d-4e8f-9a0b-1c2d3e4f5a6b", for message, order
// and request ids. The 122 random bits come from libsodium's randombytes_buf
// (the kernel's getrandom), one call per id, without opening a device file.
// Thread-safe.
#pragma once

#include <string>

namespace nser::protocol {

std::string randomUuid();

}  // namespace nser::protocol
