#include "pki/pem_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "pki/pki_error.h"
#include "tests/support/temp_dir.h"

namespace nser::pki {
namespace {

mode_t fileMode(const std::filesystem::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

TEST(PemFiles, WritesWithTheRequestedModeAndNeverOverwritesUnlessAsked) {
  nser::testing::TempDir dir;
  const auto path = dir / "secret";
  writeFileAtomically(path, "one", 0600, false);
  EXPECT_EQ(fileMode(path), 0600u);
  EXPECT_THROW(writeFileAtomically(path, "two", 0600, false), PkiError);
  EXPECT_EQ(nser::testing::readFile(path), "one");
  writeFileAtomically(path, "three", 0644, true);
  EXPECT_EQ(nser::testing::readFile(path), "three");
  EXPECT_EQ(fileMode(path), 0644u);
  // No temporary files left behind.
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& entry : std::filesystem::directory_iterator(dir.path())) ++entries;
  EXPECT_EQ(entries, 1u);
}

TEST(PemFiles, PrivateKeyRoundTripsWithOwnerOnlyMode) {
  nser::testing::TempDir dir;
  const PKeyPtr key = generateP256Key();
  writePrivateKey(dir / "party.key", key.get(), false);
  EXPECT_EQ(fileMode(dir / "party.key"), 0600u);
  const PKeyPtr read = readPrivateKey(dir / "party.key");
  EXPECT_EQ(EVP_PKEY_eq(key.get(), read.get()), 1);
  EXPECT_EQ(EVP_PKEY_get_bits(read.get()), 256);
  EXPECT_TRUE(EVP_PKEY_is_a(read.get(), "EC"));
  EXPECT_THROW(writePrivateKey(dir / "party.key", key.get(), false), PkiError);
}

TEST(PemFiles, ReadErrorsNameTheFile) {
  nser::testing::TempDir dir;
  nser::testing::writeFile(dir / "bad.key", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n");
  try {
    readPrivateKey(dir / "bad.key");
    FAIL() << "expected PkiError";
  } catch (const PkiError& error) {
    EXPECT_NE(std::string(error.what()).find("bad.key: not a PEM private key"), std::string::npos);
  }
  EXPECT_THROW(readCrl(dir / "missing.crl"), PkiError);
  EXPECT_THROW(writeFileAtomically(dir / "no-such-dir" / "file", "x", 0600, false), PkiError);
}

}  // namespace
}  // namespace nser::pki
