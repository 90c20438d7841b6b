// The client certificate a mutual-TLS connection was authenticated with, as
// the servers use it to identify a party: the SHA-256 fingerprint of the DER
// certificate (lowercase hex, the binding key of the party registries) and
// the subject common name (informational; the fingerprint decides).
//
// Both are computed once per certificate object of a TLS session and kept
// with it (OpenSSL ex_data, freed with the certificate), so the requests of a
// keep-alive connection do not re-encode and hash the certificate. Thread-safe.
#pragma once

#include <Poco/Net/HTTPServerRequest.h>

#include <optional>
#include <string>

namespace nser::service {

struct PeerCertificate {
  std::string fingerprint;  // sha256 of the DER certificate, 64 lowercase hex digits
  std::string commonName;
};

// The verified peer certificate of the request's TLS connection; empty when
// the connection is not TLS or the peer presented none.
std::optional<PeerCertificate> peerCertificate(Poco::Net::HTTPServerRequest& request);

}  // namespace nser::service
