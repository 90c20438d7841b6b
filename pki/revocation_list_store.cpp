#include "pki/revocation_list_store.h"

#include "pki/pem_files.h"
#include "pki/pki_error.h"

namespace nser::pki {

void addRevocationList(X509_STORE* store, const std::filesystem::path& crlPath) {
  const X509CrlPtr crl = readCrl(crlPath);
  if (X509_STORE_add_crl(store, crl.get()) != 1) throwOpenSslError(crlPath.string() + ": adding the CRL to the store");
  if (X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK) != 1) throwOpenSslError("enabling CRL checking");
}

}  // namespace nser::pki
