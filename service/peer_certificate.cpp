#include "service/peer_certificate.h"

#include <Poco/Net/HTTPServerRequestImpl.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SecureStreamSocketImpl.h>

#include "pki/certificate_info.h"

namespace nser::service {

std::optional<PeerCertificate> peerCertificate(Poco::Net::HTTPServerRequest& request) {
  auto* impl = dynamic_cast<Poco::Net::HTTPServerRequestImpl*>(&request);
  if (impl == nullptr) return std::nullopt;
  Poco::Net::StreamSocket& socket = impl->socket();
  if (dynamic_cast<Poco::Net::SecureStreamSocketImpl*>(socket.impl()) == nullptr) return std::nullopt;
  Poco::Net::SecureStreamSocket secure(socket);
  if (!secure.havePeerCertificate()) return std::nullopt;
  const Poco::Net::X509Certificate certificate = secure.peerCertificate();
  PeerCertificate peer;
  peer.fingerprint = pki::certificateFingerprint(certificate.certificate());
  peer.commonName = certificate.commonName();
  return peer;
}

}  // namespace nser::service
