#include "pki/certificate_issuer.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include "pki/ca_directory.h"
#include "pki/certificate_authority.h"
#include "pki/certificate_info.h"
#include "pki/pki_error.h"
#include "tests/pki/x509_verification.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace nser::pki {
namespace {

using nser::pki::testing::loadPemCertificate;
using nser::pki::testing::verifyCertificate;

// SHA-256 over i2d_X509: what `openssl x509 -fingerprint -sha256` hashes,
// computed here without the library's code path.
std::string independentFingerprint(const std::filesystem::path& pem) {
  const auto certificate = loadPemCertificate(pem);
  unsigned char* der = nullptr;
  const int size = i2d_X509(certificate.get(), &der);
  EXPECT_GT(size, 0);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digestSize = 0;
  EXPECT_EQ(EVP_Digest(der, static_cast<std::size_t>(size), digest, &digestSize, EVP_sha256(), nullptr), 1);
  OPENSSL_free(der);
  std::string hex;
  char byte[3];
  for (unsigned int i = 0; i < digestSize; ++i) {
    std::snprintf(byte, sizeof byte, "%02x", digest[i]);
    hex += byte;
  }
  return hex;
}

class CertificateIssuerTest : public ::testing::Test {
 protected:
  void SetUp() override { createCertificateAuthority(dir_ / "ca", "Issuer Test CA", 365); }
  std::filesystem::path caDir() const { return dir_ / "ca"; }
  std::filesystem::path caCertificate() const { return dir_ / "ca" / "ca.crt"; }

  IssuedCertificate issue(const std::string& party, bool server, bool client,
                          std::vector<std::string> altNames = {}) {
    IssueRequest request;
    request.partyId = party;
    request.serverAuth = server;
    request.clientAuth = client;
    request.subjectAltNames = std::move(altNames);
    request.validityDays = 90;
    return issueCertificate(caDir(), request, dir_ / "out");
  }

  nser::testing::TempDir dir_;
};

TEST_F(CertificateIssuerTest, IssuedCertificatesVerifyAgainstTheirCaOnly) {
  const IssuedCertificate client = issue("punjab-connector", false, true);
  EXPECT_EQ(verifyCertificate(caCertificate(), client.certificatePath), X509_V_OK);
  EXPECT_EQ(verifyCertificate(caCertificate(), client.certificatePath, {}, X509_PURPOSE_SSL_CLIENT), X509_V_OK);

  nser::testing::TempDir other;
  const auto foreign = nser::testing::makeTestPki(other.path(), {"punjab-connector"}, "Foreign CA");
  EXPECT_EQ(verifyCertificate(caCertificate(), foreign.client("punjab-connector").certificatePath),
            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  EXPECT_EQ(verifyCertificate(foreign.caCertificate, client.certificatePath),
            X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
}

TEST_F(CertificateIssuerTest, CommonNameIsThePartyAndKeyIdentifiersChain) {
  const IssuedCertificate issued = issue("sindh-programme", false, true);
  EXPECT_EQ(issued.partyId, "sindh-programme");
  EXPECT_EQ(issued.keyPath, dir_ / "out" / "sindh-programme.key");
  EXPECT_EQ(issued.certificatePath, dir_ / "out" / "sindh-programme.crt");
  EXPECT_EQ(certificateCommonName(issued.certificatePath), "sindh-programme");

  const auto certificate = loadPemCertificate(issued.certificatePath);
  const auto ca = loadPemCertificate(caCertificate());
  ASSERT_NE(X509_get0_authority_key_id(certificate.get()), nullptr);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(X509_get0_authority_key_id(certificate.get()), X509_get0_subject_key_id(ca.get())),
            0);
  EXPECT_EQ(X509_check_ca(certificate.get()), 0);
  EXPECT_EQ(EVP_PKEY_get_base_id(X509_get0_pubkey(certificate.get())), EVP_PKEY_EC);
}

TEST_F(CertificateIssuerTest, ExtendedKeyUsageFollowsTheRequest) {
  const auto server = loadPemCertificate(issue("hub", true, false, {"localhost"}).certificatePath);
  const auto client = loadPemCertificate(issue("kp-connector", false, true).certificatePath);
  const auto both = loadPemCertificate(issue("relay", true, true).certificatePath);
  EXPECT_EQ(X509_get_extended_key_usage(server.get()), static_cast<uint32_t>(XKU_SSL_SERVER));
  EXPECT_EQ(X509_get_extended_key_usage(client.get()), static_cast<uint32_t>(XKU_SSL_CLIENT));
  EXPECT_EQ(X509_get_extended_key_usage(both.get()), static_cast<uint32_t>(XKU_SSL_SERVER | XKU_SSL_CLIENT));
  EXPECT_EQ(verifyCertificate(caCertificate(), dir_ / "out" / "hub.crt", {}, X509_PURPOSE_SSL_CLIENT),
            X509_V_ERR_INVALID_PURPOSE);
  EXPECT_EQ(verifyCertificate(caCertificate(), dir_ / "out" / "hub.crt", {}, X509_PURPOSE_SSL_SERVER), X509_V_OK);
}

TEST_F(CertificateIssuerTest, SubjectAlternativeNamesAreDnsOrIp) {
  const IssuedCertificate issued = issue("hub", true, false, {"localhost", "127.0.0.1", "::1", "DNS:hub.example.org"});
  const auto certificate = loadPemCertificate(issued.certificatePath);
  EXPECT_EQ(X509_check_host(certificate.get(), "localhost", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(certificate.get(), "hub.example.org", 0, 0, nullptr), 1);
  EXPECT_EQ(X509_check_host(certificate.get(), "other.example.org", 0, 0, nullptr), 0);
  EXPECT_EQ(X509_check_ip_asc(certificate.get(), "127.0.0.1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(certificate.get(), "::1", 0), 1);
  EXPECT_EQ(X509_check_ip_asc(certificate.get(), "10.0.0.1", 0), 0);
  // "127.0.0.1" is an iPAddress name, not a DNS name.
  GENERAL_NAMES* names =
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(certificate.get(), NID_subject_alt_name, nullptr, nullptr));
  ASSERT_NE(names, nullptr);
  int dns = 0;
  int ip = 0;
  for (int i = 0; i < sk_GENERAL_NAME_num(names); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names, i);
    if (name->type == GEN_DNS) ++dns;
    if (name->type == GEN_IPADD) ++ip;
  }
  GENERAL_NAMES_free(names);
  EXPECT_EQ(dns, 2);
  EXPECT_EQ(ip, 2);
}

TEST_F(CertificateIssuerTest, FingerprintIsSha256OfTheDer) {
  const IssuedCertificate issued = issue("balochistan-connector", false, true);
  EXPECT_EQ(issued.fingerprint.size(), 64u);
  EXPECT_EQ(issued.fingerprint, independentFingerprint(issued.certificatePath));
  EXPECT_EQ(certificateFingerprint(issued.certificatePath), issued.fingerprint);
  EXPECT_EQ(issued.fingerprint.find_first_not_of("0123456789abcdef"), std::string::npos);
}

TEST_F(CertificateIssuerTest, PrivateKeyIsOwnerOnlyAndMatchesTheCertificate) {
  const IssuedCertificate issued = issue("auditor-1", false, true);
  struct stat info {};
  ASSERT_EQ(::stat(issued.keyPath.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 07777, 0600u);
  const auto certificate = loadPemCertificate(issued.certificatePath);
  std::FILE* file = std::fopen(issued.keyPath.c_str(), "r");
  ASSERT_NE(file, nullptr);
  EVP_PKEY* key = PEM_read_PrivateKey(file, nullptr, nullptr, nullptr);
  std::fclose(file);
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(X509_check_private_key(certificate.get(), key), 1);
  EVP_PKEY_free(key);
}

TEST_F(CertificateIssuerTest, SerialsAreRandom128BitAndRecordedInTheIndex) {
  const IssuedCertificate first = issue("party-a", false, true);
  const IssuedCertificate second = issue("party-b", false, true);
  EXPECT_NE(first.serial, second.serial);
  const auto certificate = loadPemCertificate(first.certificatePath);
  BIGNUM* serial = ASN1_INTEGER_to_BN(X509_get0_serialNumber(certificate.get()), nullptr);
  EXPECT_EQ(BN_num_bits(serial), 127);  // top bit cleared (positive), next bit set (full length)
  BN_free(serial);
  EXPECT_EQ(certificateSerial(first.certificatePath), first.serial);

  const std::vector<IndexEntry> index = readIndex(CaFiles{caDir()});
  ASSERT_EQ(index.size(), 2u);
  EXPECT_EQ(index[0].status, 'V');
  EXPECT_EQ(index[0].serial, first.serial);
  EXPECT_EQ(index[0].partyId, "party-a");
  EXPECT_EQ(index[0].fingerprint, first.fingerprint);
  EXPECT_EQ(index[0].notAfter, first.notAfter);
  EXPECT_EQ(index[0].revokedAt, "-");
  EXPECT_EQ(index[1].partyId, "party-b");
}

TEST_F(CertificateIssuerTest, RejectsInvalidRequests) {
  EXPECT_THROW(issue("Punjab Connector", false, true), PkiError);
  EXPECT_THROW(issue("", false, true), PkiError);
  EXPECT_THROW(issue("no-usage", false, false), PkiError);
  EXPECT_THROW(issue("hub", true, false, {"bad name!"}), PkiError);
  EXPECT_THROW(issue("hub", true, false, {"IP:not-an-ip"}), PkiError);
  EXPECT_THROW(issue("hub", true, false, {"a,DNS:evil.example"}), PkiError);  // no configuration injection
  IssueRequest request;
  request.partyId = "late";
  request.clientAuth = true;
  request.validityDays = 0;
  EXPECT_THROW(issueCertificate(caDir(), request, dir_ / "out"), PkiError);
  EXPECT_THROW(issueCertificate(dir_ / "no-ca", IssueRequest{"x", false, true, {}, 30, false}, dir_ / "out"), PkiError);
  EXPECT_TRUE(readIndex(CaFiles{caDir()}).empty());
  EXPECT_FALSE(std::filesystem::exists(dir_ / "out" / "late.key"));
}

TEST_F(CertificateIssuerTest, RefusesToOverwriteAnIssuedKeyUnlessAsked) {
  const IssuedCertificate first = issue("punjab-connector", false, true);
  const std::string key = nser::testing::readFile(first.keyPath);
  try {
    issue("punjab-connector", false, true);
    FAIL() << "expected PkiError";
  } catch (const PkiError& error) {
    EXPECT_NE(std::string(error.what()).find("refusing to overwrite"), std::string::npos);
  }
  EXPECT_EQ(nser::testing::readFile(first.keyPath), key);

  IssueRequest request{"punjab-connector", false, true, {}, 30, /*overwrite=*/true};
  const IssuedCertificate rotated = issueCertificate(caDir(), request, dir_ / "out");
  EXPECT_NE(nser::testing::readFile(rotated.keyPath), key);
  EXPECT_NE(rotated.fingerprint, first.fingerprint);
  EXPECT_EQ(readIndex(CaFiles{caDir()}).size(), 2u);  // both stay in the index (the old one can be revoked)
}

TEST(TestPkiHelper, MakesACaAServerAndClients) {
  nser::testing::TempDir dir;
  const auto pki = nser::testing::makeTestPki(dir.path(), {"punjab-connector", "admin"});
  EXPECT_EQ(certificateCommonName(pki.server.certificatePath), "hub");
  EXPECT_EQ(verifyCertificate(pki.caCertificate, pki.server.certificatePath, pki.crl, X509_PURPOSE_SSL_SERVER),
            X509_V_OK);
  EXPECT_EQ(verifyCertificate(pki.caCertificate, pki.client("admin").certificatePath, pki.crl,
                              X509_PURPOSE_SSL_CLIENT),
            X509_V_OK);
  EXPECT_EQ(pki.clients.size(), 2u);
  EXPECT_THROW(pki.client("nobody"), std::out_of_range);
}

}  // namespace
}  // namespace nser::pki
