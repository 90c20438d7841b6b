#include "pki/pki_error.h"

#include <openssl/err.h>

namespace nser::pki {

void throwOpenSslError(const std::string& what) {
  std::string reasons;
  while (const unsigned long code = ERR_get_error()) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof buffer);
    if (!reasons.empty()) reasons += "; ";
    reasons += buffer;
  }
  throw PkiError(reasons.empty() ? what : what + ": " + reasons);
}

}  // namespace nser::pki
