#include "pki/certificate_authority.h"

#include <gtest/gtest.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include "pki/pki_error.h"
#include "tests/pki/x509_verification.h"
#include "tests/support/temp_dir.h"

namespace nser::pki {
namespace {

using nser::pki::testing::loadPemCertificate;
using nser::pki::testing::loadPemCrl;

mode_t fileMode(const std::filesystem::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

TEST(CertificateAuthority, WritesASelfSignedCaWithTheRequiredExtensions) {
  nser::testing::TempDir dir;
  const CaFiles files = createCertificateAuthority(dir / "ca", "Test Deployment CA", 30);
  const auto ca = loadPemCertificate(files.certificate());

  EXPECT_EQ(X509_check_ca(ca.get()), 1);
  const int bcIndex = X509_get_ext_by_NID(ca.get(), NID_basic_constraints, -1);
  ASSERT_GE(bcIndex, 0);
  EXPECT_EQ(X509_EXTENSION_get_critical(X509_get_ext(ca.get(), bcIndex)), 1);
  const uint32_t usage = X509_get_key_usage(ca.get());
  EXPECT_TRUE(usage & KU_KEY_CERT_SIGN);
  EXPECT_TRUE(usage & KU_CRL_SIGN);
  EXPECT_FALSE(usage & KU_DIGITAL_SIGNATURE);
  EXPECT_NE(X509_get0_subject_key_id(ca.get()), nullptr);
  EXPECT_EQ(X509_check_issued(ca.get(), ca.get()), X509_V_OK);  // self-signed
  EXPECT_EQ(nser::pki::testing::verifyCertificate(files.certificate(), files.certificate()), X509_V_OK);

  // ECDSA P-256.
  EVP_PKEY* key = X509_get0_pubkey(ca.get());
  ASSERT_NE(key, nullptr);
  EXPECT_EQ(EVP_PKEY_get_base_id(key), EVP_PKEY_EC);
  EXPECT_EQ(EVP_PKEY_get_bits(key), 256);

  // Validity: about 30 days from now.
  int days = 0;
  int seconds = 0;
  ASSERT_EQ(ASN1_TIME_diff(&days, &seconds, nullptr, X509_get0_notAfter(ca.get())), 1);
  EXPECT_TRUE(days == 29 || days == 30) << days;
}

TEST(CertificateAuthority, KeyIsOwnerOnlyAndTheFirstCrlIsEmptyAndSigned) {
  nser::testing::TempDir dir;
  const CaFiles files = createCertificateAuthority(dir / "ca", "Test Deployment CA", 365);
  EXPECT_EQ(fileMode(files.key()), 0600u);
  EXPECT_EQ(fileMode(files.certificate()), 0644u);

  const auto crl = loadPemCrl(files.crl());
  const auto ca = loadPemCertificate(files.certificate());
  EXPECT_EQ(X509_CRL_verify(crl.get(), X509_get0_pubkey(ca.get())), 1);
  const STACK_OF(X509_REVOKED)* revoked = X509_CRL_get_REVOKED(crl.get());
  EXPECT_TRUE(revoked == nullptr || sk_X509_REVOKED_num(revoked) == 0);
  EXPECT_EQ(X509_NAME_cmp(X509_CRL_get_issuer(crl.get()), X509_get_subject_name(ca.get())), 0);
  EXPECT_NE(X509_CRL_get0_nextUpdate(crl.get()), nullptr);
  EXPECT_TRUE(readIndex(files).empty());
}

TEST(CertificateAuthority, RefusesToOverwriteAnExistingCaUnlessAsked) {
  nser::testing::TempDir dir;
  const CaFiles files = createCertificateAuthority(dir / "ca", "First CA", 365);
  const std::string firstCertificate = nser::testing::readFile(files.certificate());
  EXPECT_THROW(createCertificateAuthority(dir / "ca", "Second CA", 365), PkiError);
  EXPECT_EQ(nser::testing::readFile(files.certificate()), firstCertificate);

  CaOptions options;
  options.overwrite = true;
  createCertificateAuthority(dir / "ca", "Second CA", options);
  EXPECT_NE(nser::testing::readFile(files.certificate()), firstCertificate);
  EXPECT_EQ(fileMode(files.key()), 0600u);
}

TEST(CertificateAuthority, RejectsBadNamesAndValidity) {
  nser::testing::TempDir dir;
  EXPECT_THROW(createCertificateAuthority(dir / "a", "", 365), PkiError);
  EXPECT_THROW(createCertificateAuthority(dir / "b", std::string(65, 'x'), 365), PkiError);
  EXPECT_THROW(createCertificateAuthority(dir / "c", "CA", 0), PkiError);
  EXPECT_THROW(createCertificateAuthority(dir / "d", "CA", 36501), PkiError);
  EXPECT_FALSE(std::filesystem::exists(dir / "c" / "ca.key"));
}

TEST(CertificateAuthority, LoadRejectsADirectoryWithoutACa) {
  nser::testing::TempDir dir;
  try {
    loadCertificateAuthority(CaFiles{dir.path()});
    FAIL() << "expected PkiError";
  } catch (const PkiError& error) {
    EXPECT_NE(std::string(error.what()).find("not a certificate authority directory"), std::string::npos);
  }
}

TEST(CertificateAuthority, LoadRejectsAKeyThatDoesNotMatchTheCertificate) {
  nser::testing::TempDir dir;
  const CaFiles first = createCertificateAuthority(dir / "one", "One", 365);
  const CaFiles second = createCertificateAuthority(dir / "two", "Two", 365);
  std::filesystem::copy_file(second.key(), first.key(), std::filesystem::copy_options::overwrite_existing);
  EXPECT_THROW(loadCertificateAuthority(first), PkiError);
}

}  // namespace
}  // namespace nser::pki
