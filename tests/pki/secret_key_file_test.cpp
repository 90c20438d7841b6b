#include "pki/secret_key_file.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstring>
#include <functional>

#include "pki/pki_error.h"
#include "tests/support/temp_dir.h"

namespace nser::pki {
namespace {

constexpr std::array<unsigned char, 32> kSecret = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16,
                                                   17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};

std::string messageOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const PkiError& error) {
    return error.what();
  }
  return "";
}

TEST(SecretKeyFile, WritesOneTaggedLineOwnerOnlyAndReadsItBack) {
  nser::testing::TempDir dir;
  const auto file = dir / "sub" / "k.key";
  writeSecretKeyFile(file, "nser-test-v1", kSecret.data(), kSecret.size(), "test key");
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  ASSERT_EQ(::stat(file.parent_path().c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0700u);
  EXPECT_EQ(nser::testing::readFile(file), "nser-test-v1 AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA=\n");
  const SecureBuffer secret = readSecretKeyFile(file, "nser-test-v1", 32, "test key");
  ASSERT_EQ(secret.size(), 32u);
  EXPECT_EQ(std::memcmp(secret.data(), kSecret.data(), 32), 0);
  // Never replaces an existing key.
  EXPECT_THROW(writeSecretKeyFile(file, "nser-test-v1", kSecret.data(), kSecret.size(), "test key"), PkiError);
}

TEST(SecretKeyFile, RefusesWrongTagWrongLengthLooseModeAndSymlinks) {
  nser::testing::TempDir dir;
  const auto file = dir / "k.key";
  writeSecretKeyFile(file, "nser-test-v1", kSecret.data(), kSecret.size(), "test key");
  EXPECT_NE(messageOf([&] { readSecretKeyFile(file, "nser-other-v1", 32, "test key"); }).find(file.string()),
            std::string::npos);
  EXPECT_NE(messageOf([&] { readSecretKeyFile(file, "nser-test-v1", 16, "test key"); }).find("base64 of 16 bytes"),
            std::string::npos);
  const auto link = dir / "link.key";
  ASSERT_EQ(::symlink(file.c_str(), link.c_str()), 0);
  EXPECT_THROW(readSecretKeyFile(link, "nser-test-v1", 32, "test key"), PkiError);
  ASSERT_EQ(::chmod(file.c_str(), 0660), 0);
  const std::string loose = messageOf([&] { readSecretKeyFile(file, "nser-test-v1", 32, "test key"); });
  EXPECT_NE(loose.find("group or others"), std::string::npos) << loose;
  EXPECT_EQ(loose.find("AQID"), std::string::npos) << loose;
}

}  // namespace
}  // namespace nser::pki
