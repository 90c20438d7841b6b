// Test-side chain verification, written directly against OpenSSL so that the
// pki library is checked by code it does not share: X509_verify_cert against
// a store holding one CA certificate and, optionally, its CRL.
#pragma once

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>

namespace nser::pki::testing {

inline std::shared_ptr<X509> loadPemCertificate(const std::filesystem::path& path) {
  std::FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) throw std::runtime_error("cannot open " + path.string());
  X509* certificate = PEM_read_X509(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  if (certificate == nullptr) throw std::runtime_error("not a certificate: " + path.string());
  return {certificate, X509_free};
}

inline std::shared_ptr<X509_CRL> loadPemCrl(const std::filesystem::path& path) {
  std::FILE* file = std::fopen(path.c_str(), "r");
  if (file == nullptr) throw std::runtime_error("cannot open " + path.string());
  X509_CRL* crl = PEM_read_X509_CRL(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  if (crl == nullptr) throw std::runtime_error("not a CRL: " + path.string());
  return {crl, X509_CRL_free};
}

// X509_V_OK when `certificate` chains to `caCertificate` (and, with a CRL, is
// not revoked); otherwise the X509_V_ERR_* code.
inline int verifyCertificate(const std::filesystem::path& caCertificate, const std::filesystem::path& certificate,
                             const std::filesystem::path& crl = {}, int purpose = 0) {
  const auto ca = loadPemCertificate(caCertificate);
  const auto leaf = loadPemCertificate(certificate);
  std::unique_ptr<X509_STORE, decltype(&X509_STORE_free)> store(X509_STORE_new(), X509_STORE_free);
  X509_STORE_add_cert(store.get(), ca.get());
  if (!crl.empty()) {
    const auto list = loadPemCrl(crl);
    X509_STORE_add_crl(store.get(), list.get());
    X509_STORE_set_flags(store.get(), X509_V_FLAG_CRL_CHECK);
  }
  if (purpose != 0) X509_STORE_set_purpose(store.get(), purpose);
  std::unique_ptr<X509_STORE_CTX, decltype(&X509_STORE_CTX_free)> context(X509_STORE_CTX_new(), X509_STORE_CTX_free);
  X509_STORE_CTX_init(context.get(), store.get(), leaf.get(), nullptr);
  const int ok = X509_verify_cert(context.get());
  return ok == 1 ? X509_V_OK : X509_STORE_CTX_get_error(context.get());
}

}  // namespace nser::pki::testing
