#include "pki/x509_extensions.h"

#include <openssl/x509v3.h>

#include "pki/openssl_handles.h"
#include "pki/pki_error.h"

namespace nser::pki {

namespace {
X509ExtensionPtr makeExtension(X509V3_CTX* context, int nid, const std::string& value) {
  X509ExtensionPtr extension(X509V3_EXT_conf_nid(nullptr, context, nid, value.c_str()));
  if (!extension) throwOpenSslError(std::string("building the ") + OBJ_nid2sn(nid) + " extension");
  return extension;
}
}  // namespace

void addCertificateExtension(X509* certificate, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, certificate, nullptr, nullptr, 0);
  const X509ExtensionPtr extension = makeExtension(&context, nid, value);
  if (X509_add_ext(certificate, extension.get(), -1) != 1) throwOpenSslError("adding an extension");
}

void addCrlExtension(X509_CRL* crl, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX context;
  X509V3_set_ctx(&context, issuer, nullptr, nullptr, crl, 0);
  const X509ExtensionPtr extension = makeExtension(&context, nid, value);
  if (X509_CRL_add_ext(crl, extension.get(), -1) != 1) throwOpenSslError("adding a CRL extension");
}

}  // namespace nser::pki
