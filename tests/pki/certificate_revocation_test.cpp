#include "pki/certificate_revocation.h"

#include <gtest/gtest.h>
#include <openssl/x509v3.h>

#include "pki/certificate_info.h"
#include "pki/pki_error.h"
#include "tests/pki/x509_verification.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace nser::pki {
namespace {

using nser::pki::testing::loadPemCertificate;
using nser::pki::testing::loadPemCrl;
using nser::pki::testing::verifyCertificate;

std::vector<std::string> crlSerials(const std::filesystem::path& crlPath) {
  const auto crl = loadPemCrl(crlPath);
  std::vector<std::string> serials;
  const STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
  for (int i = 0; revoked != nullptr && i < sk_X509_REVOKED_num(revoked); ++i) {
    serials.push_back(serialToHex(X509_REVOKED_get0_serialNumber(sk_X509_REVOKED_value(revoked, i))));
  }
  return serials;
}

long crlNumber(const std::filesystem::path& crlPath) {
  const auto crl = loadPemCrl(crlPath);
  ASN1_INTEGER* number = static_cast<ASN1_INTEGER*>(X509_CRL_get_ext_d2i(crl.get(), NID_crl_number, nullptr, nullptr));
  if (number == nullptr) return -1;
  const long value = ASN1_INTEGER_get(number);
  ASN1_INTEGER_free(number);
  return value;
}

class RevocationTest : public ::testing::Test {
 protected:
  nser::testing::TempDir dir_;
  nser::testing::TestPki pki_ = nser::testing::makeTestPki(dir_.path(), {"punjab-connector", "sindh-connector"});
};

TEST_F(RevocationTest, RevokedSerialIsInTheCrlAndFailsVerificationWithCrlChecking) {
  const auto& revokedParty = pki_.client("punjab-connector");
  const auto& keptParty = pki_.client("sindh-connector");
  EXPECT_EQ(verifyCertificate(pki_.caCertificate, revokedParty.certificatePath, pki_.crl), X509_V_OK);

  const IndexEntry entry = revokeCertificateFile(pki_.caDir, revokedParty.certificatePath);
  EXPECT_EQ(entry.status, 'R');
  EXPECT_EQ(entry.serial, revokedParty.serial);
  EXPECT_EQ(entry.partyId, "punjab-connector");
  EXPECT_EQ(entry.fingerprint, revokedParty.fingerprint);
  EXPECT_NE(entry.revokedAt, "-");

  EXPECT_EQ(crlSerials(pki_.crl), std::vector<std::string>{revokedParty.serial});
  EXPECT_EQ(verifyCertificate(pki_.caCertificate, revokedParty.certificatePath, pki_.crl), X509_V_ERR_CERT_REVOKED);
  EXPECT_EQ(verifyCertificate(pki_.caCertificate, keptParty.certificatePath, pki_.crl), X509_V_OK);
  // Without CRL checking the chain itself is still fine: revocation lives in the CRL.
  EXPECT_EQ(verifyCertificate(pki_.caCertificate, revokedParty.certificatePath), X509_V_OK);
}

TEST_F(RevocationTest, CrlIsSignedByTheCaAndItsNumberAdvances) {
  EXPECT_EQ(crlNumber(pki_.crl), 1);
  revokeCertificate(pki_.caDir, pki_.client("sindh-connector").serial);
  EXPECT_EQ(crlNumber(pki_.crl), 2);
  renewRevocationList(pki_.caDir, RevocationOptions{7});
  EXPECT_EQ(crlNumber(pki_.crl), 3);
  EXPECT_EQ(crlSerials(pki_.crl), std::vector<std::string>{pki_.client("sindh-connector").serial});

  const auto crl = loadPemCrl(pki_.crl);
  const auto ca = loadPemCertificate(pki_.caCertificate);
  EXPECT_EQ(X509_CRL_verify(crl.get(), X509_get0_pubkey(ca.get())), 1);
  int days = 0;
  int seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, X509_CRL_get0_lastUpdate(crl.get()), X509_CRL_get0_nextUpdate(crl.get())),
            1);
  EXPECT_EQ(days, 7);
  EXPECT_EQ(seconds, 0);
}

TEST_F(RevocationTest, RevokeBySerialAcceptsOpenSslSpellingAndIsIdempotent) {
  const std::string serial = pki_.client("punjab-connector").serial;
  std::string colons;
  const std::string padded = serial.size() % 2 ? "0" + serial : serial;
  for (std::size_t i = 0; i < padded.size(); i += 2) colons += (i ? ":" : "") + padded.substr(i, 2);
  for (char& c : colons) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));

  const IndexEntry first = revokeCertificate(pki_.caDir, colons);
  const IndexEntry again = revokeCertificate(pki_.caDir, serial);
  EXPECT_EQ(first.serial, serial);
  EXPECT_EQ(again.revokedAt, first.revokedAt);
  EXPECT_EQ(crlSerials(pki_.crl).size(), 1u);
}

TEST_F(RevocationTest, RefusesUnknownSerialsAndForeignCertificates) {
  EXPECT_THROW(revokeCertificate(pki_.caDir, "1234abcd"), PkiError);
  EXPECT_THROW(revokeCertificate(pki_.caDir, "not-hex"), PkiError);

  nser::testing::TempDir other;
  const auto foreign = nser::testing::makeTestPki(other.path(), {"punjab-connector"}, "Foreign CA");
  try {
    revokeCertificateFile(pki_.caDir, foreign.client("punjab-connector").certificatePath);
    FAIL() << "expected PkiError";
  } catch (const PkiError& error) {
    EXPECT_NE(std::string(error.what()).find("was not issued by the CA"), std::string::npos);
  }
  EXPECT_TRUE(crlSerials(pki_.crl).empty());
}

TEST_F(RevocationTest, RevokesACertificateOfThisCaMissingFromTheIndex) {
  const auto& party = pki_.client("sindh-connector");
  writeIndex(CaFiles{pki_.caDir}, {});  // e.g. an index restored from an older backup
  const IndexEntry entry = revokeCertificateFile(pki_.caDir, party.certificatePath);
  EXPECT_EQ(entry.partyId, "sindh-connector");
  EXPECT_EQ(readIndex(CaFiles{pki_.caDir}).size(), 1u);
  EXPECT_EQ(verifyCertificate(pki_.caCertificate, party.certificatePath, pki_.crl), X509_V_ERR_CERT_REVOKED);
}

TEST_F(RevocationTest, RejectsAnInvalidCrlValidity) {
  EXPECT_THROW(revokeCertificate(pki_.caDir, pki_.client("sindh-connector").serial, RevocationOptions{0}), PkiError);
  EXPECT_TRUE(crlSerials(pki_.crl).empty());
}

}  // namespace
}  // namespace nser::pki
