#include "pki/certificate_info.h"

#include <openssl/evp.h>

#include <cctype>
#include <ctime>

#include "pki/openssl_handles.h"
#include "pki/pem_files.h"
#include "pki/pki_error.h"

namespace nser::pki {

namespace {

std::string lowercaseHex(const unsigned char* bytes, std::size_t size) {
  static const char* kHex = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out += kHex[bytes[i] >> 4];
    out += kHex[bytes[i] & 0xF];
  }
  return out;
}

}  // namespace

std::string certificateFingerprint(const X509* certificate) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  // X509_digest hashes the DER encoding of the whole certificate.
  if (X509_digest(certificate, EVP_sha256(), digest, &size) != 1) throwOpenSslError("certificate fingerprint");
  return lowercaseHex(digest, size);
}

std::string certificateFingerprint(const std::filesystem::path& pemPath) {
  return certificateFingerprint(readCertificate(pemPath).get());
}

std::string normaliseFingerprint(const std::string& fingerprint) {
  std::string out;
  for (char c : fingerprint) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) throw PkiError("fingerprint: not hexadecimal");
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (out.size() != 64) throw PkiError("fingerprint: a SHA-256 fingerprint has 64 hex digits, got " + std::to_string(out.size()));
  return out;
}

std::string certificateCommonName(const X509* certificate) {
  const X509_NAME* subject = X509_get_subject_name(certificate);
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return {};
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  unsigned char* utf8 = nullptr;
  const int size = ASN1_STRING_to_UTF8(&utf8, data);
  if (size < 0) throwOpenSslError("certificate common name");
  std::string name(reinterpret_cast<const char*>(utf8), static_cast<std::size_t>(size));
  OPENSSL_free(utf8);
  return name;
}

std::string certificateCommonName(const std::filesystem::path& pemPath) {
  return certificateCommonName(readCertificate(pemPath).get());
}

std::string serialToHex(const ASN1_INTEGER* serial) {
  BignumPtr number(ASN1_INTEGER_to_BN(serial, nullptr));
  if (!number) throwOpenSslError("certificate serial");
  if (BN_is_zero(number.get())) return "0";
  char* hex = BN_bn2hex(number.get());
  if (hex == nullptr) throwOpenSslError("certificate serial");
  std::string out(hex);
  OPENSSL_free(hex);
  std::size_t start = 0;
  while (start + 1 < out.size() && out[start] == '0') ++start;
  out.erase(0, start);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string normaliseSerial(const std::string& serial) {
  std::string digits = serial;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) digits.erase(0, 2);
  std::string out;
  for (char c : digits) {
    if (c == ':') continue;
    if (!std::isxdigit(static_cast<unsigned char>(c))) throw PkiError("serial: not hexadecimal");
    out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (out.empty()) throw PkiError("serial: empty");
  std::size_t start = 0;
  while (start + 1 < out.size() && out[start] == '0') ++start;
  return out.substr(start);
}

std::string certificateSerial(const X509* certificate) {
  return serialToHex(X509_get0_serialNumber(certificate));
}

std::string certificateSerial(const std::filesystem::path& pemPath) {
  return certificateSerial(readCertificate(pemPath).get());
}

std::string asn1TimeToIso8601(const ASN1_TIME* time) {
  std::tm parts{};
  if (ASN1_TIME_to_tm(time, &parts) != 1) throwOpenSslError("certificate time");
  char buffer[32];
  std::strftime(buffer, sizeof buffer, "%Y-%m-%dT%H:%M:%SZ", &parts);
  return buffer;
}

std::string certificateNotAfter(const X509* certificate) { return asn1TimeToIso8601(X509_get0_notAfter(certificate)); }

}  // namespace nser::pki
