// What the hub and the tools read from a party certificate.
//
// The fingerprint is the SHA-256 of the certificate's DER encoding as 64
// lowercase hex digits: the same bytes `openssl x509 -fingerprint -sha256`
// prints (there in uppercase with colons). The hub binds a party to this
// value, so a re-issued certificate (new key, new serial) must be bound again.
// Functions taking a path read the first certificate of a PEM file and throw
// PkiError naming the file when it cannot be read or parsed.
#pragma once

#include <filesystem>
#include <string>

#include <openssl/x509.h>

namespace nser::pki {

std::string certificateFingerprint(const std::filesystem::path& pemPath);
std::string certificateFingerprint(const X509* certificate);
// Normalises a fingerprint as printed by OpenSSL ("AB:CD:...") or by us to 64
// lowercase hex digits; throws PkiError if it is not a SHA-256 fingerprint.
std::string normaliseFingerprint(const std::string& fingerprint);

// The subject CN (for party certificates: the party id); "" when absent.
std::string certificateCommonName(const std::filesystem::path& pemPath);
std::string certificateCommonName(const X509* certificate);

// The serial number as lowercase hex without leading zeros ("0" for zero).
std::string certificateSerial(const std::filesystem::path& pemPath);
std::string certificateSerial(const X509* certificate);
std::string serialToHex(const ASN1_INTEGER* serial);
// Normalises user input ("0A:1b", "0x0a1b", "A1B") to the form of serialToHex;
// throws PkiError if it is not hex.
std::string normaliseSerial(const std::string& serial);

// notAfter as "YYYY-MM-DDTHH:MM:SSZ".
std::string certificateNotAfter(const X509* certificate);
std::string asn1TimeToIso8601(const ASN1_TIME* time);

}  // namespace nser::pki
