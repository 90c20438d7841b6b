#include "service/peer_certificate.h"

#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/SecureStreamSocketImpl.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/Net/Session.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <memory>
#include <mutex>

#include "pki/certificate_info.h"

namespace nser::service {
namespace {

// The identity read from a peer certificate is kept with the certificate
// object itself (OpenSSL "ex_data" of the X509 the TLS session holds), so a
// keep-alive connection reads the DER fingerprint and the subject once, not
// on every request, and the cached identity dies with the certificate: it
// can never be served for another connection's certificate.
void freeIdentity(void* /*parent*/, void* pointer, CRYPTO_EX_DATA* /*data*/, int /*index*/, long /*argl*/,
                  void* /*argp*/) {
  delete static_cast<PeerCertificate*>(pointer);
}

int identityIndex() {
  static const int index = X509_get_ex_new_index(0, nullptr, nullptr, nullptr, freeIdentity);
  return index;
}

// ex_data of one X509 may be read and set by several connection threads
// (a session can be shared); every access is under this lock.
std::mutex& identityMutex() {
  static std::mutex mutex;
  return mutex;
}

PeerCertificate identityOf(X509* certificate) {
  const int index = identityIndex();
  if (index < 0) {
    return {pki::certificateFingerprint(certificate), pki::certificateCommonName(certificate)};
  }
  {
    std::lock_guard lock(identityMutex());
    if (const auto* cached = static_cast<const PeerCertificate*>(X509_get_ex_data(certificate, index))) {
      return *cached;
    }
  }
  auto identity = std::make_unique<PeerCertificate>(
      PeerCertificate{pki::certificateFingerprint(certificate), pki::certificateCommonName(certificate)});
  PeerCertificate result = *identity;
  std::lock_guard lock(identityMutex());
  if (X509_get_ex_data(certificate, index) == nullptr && X509_set_ex_data(certificate, index, identity.get()) == 1) {
    identity.release();  // owned by the certificate now (freeIdentity)
  }
  return result;
}

}  // namespace

std::optional<PeerCertificate> peerCertificate(Poco::Net::HTTPServerRequest& request) {
  auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
  if (impl == nullptr) return std::nullopt;
  auto* secure = dynamic_cast<Poco::Net::SecureStreamSocketImpl*>(impl->socket().impl());
  if (secure == nullptr) return std::nullopt;
  // The peer certificate the handshake verified, as the TLS session holds it
  // (what SSL_get_peer_certificate returns), without POCO's X509Certificate
  // copy and name parsing.
  const Poco::Net::Session::Ptr session = secure->currentSession();
  if (!session || session->sslSession() == nullptr) return std::nullopt;
  X509* certificate = SSL_SESSION_get0_peer(session->sslSession());
  if (certificate == nullptr) return std::nullopt;
  return identityOf(certificate);
}

}  // namespace nser::service
