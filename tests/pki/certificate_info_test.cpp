#include "pki/certificate_info.h"

#include <gtest/gtest.h>

#include "pki/pki_error.h"
#include "tests/support/temp_dir.h"
#include "tests/support/test_pki.h"

namespace nser::pki {
namespace {

TEST(CertificateInfo, NormalisesFingerprintsAsOpenSslPrintsThem) {
  const std::string ours(64, 'a');
  std::string openssl;
  for (int i = 0; i < 32; ++i) openssl += (i ? ":" : "") + std::string("AA");
  EXPECT_EQ(normaliseFingerprint(openssl), ours);
  EXPECT_EQ(normaliseFingerprint(ours), ours);
  EXPECT_THROW(normaliseFingerprint("abc"), PkiError);
  EXPECT_THROW(normaliseFingerprint(std::string(64, 'g')), PkiError);
}

TEST(CertificateInfo, NormalisesSerials) {
  EXPECT_EQ(normaliseSerial("0A:1B"), "a1b");
  EXPECT_EQ(normaliseSerial("0x00ff"), "ff");
  EXPECT_EQ(normaliseSerial("0"), "0");
  EXPECT_THROW(normaliseSerial(""), PkiError);
  EXPECT_THROW(normaliseSerial("12z"), PkiError);
}

TEST(CertificateInfo, ReadsCommonNameSerialAndNotAfter) {
  nser::testing::TempDir dir;
  const auto pki = nser::testing::makeTestPki(dir.path(), {"kp-programme"});
  const auto& issued = pki.client("kp-programme");
  EXPECT_EQ(certificateCommonName(issued.certificatePath), "kp-programme");
  EXPECT_EQ(certificateCommonName(pki.caCertificate), "NSER Test CA");
  EXPECT_EQ(certificateSerial(issued.certificatePath), issued.serial);
  EXPECT_EQ(issued.notAfter.size(), 20u);  // YYYY-MM-DDTHH:MM:SSZ
  EXPECT_EQ(issued.notAfter.back(), 'Z');
}

TEST(CertificateInfo, NamesTheFileThatIsNotACertificate) {
  nser::testing::TempDir dir;
  nser::testing::writeFile(dir / "junk.crt", "not a certificate\n");
  try {
    certificateFingerprint(dir / "junk.crt");
    FAIL() << "expected PkiError";
  } catch (const PkiError& error) {
    EXPECT_NE(std::string(error.what()).find("junk.crt: not a PEM certificate"), std::string::npos);
  }
  EXPECT_THROW(certificateFingerprint(dir / "missing.crt"), PkiError);
}

}  // namespace
}  // namespace nser::pki
