// The one exception type of the pki library: a file, an argument or an
// OpenSSL operation failed. The message names the file or argument and, when
// OpenSSL gave one, its reason. Messages never carry key material.
#pragma once

#include <stdexcept>
#include <string>

namespace nser::pki {

class PkiError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Throws PkiError("<what>: <OpenSSL error queue, oldest first>") and clears
// the thread's OpenSSL error queue.
[[noreturn]] void throwOpenSslError(const std::string& what);

}  // namespace nser::pki
