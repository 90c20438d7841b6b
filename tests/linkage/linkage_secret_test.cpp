#include "linkage/linkage_secret.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "tests/support/temp_dir.h"

namespace nser::linkage {
namespace {

using nser::testing::TempDir;
using nser::testing::writeFile;

std::string errorOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const SecretError& e) {
    return e.what();
  }
  return "(no error)";
}

std::string writeSecret(const TempDir& dir, const std::string& content, mode_t mode) {
  auto path = (dir / "secret.key").string();
  writeFile(path, content);
  chmod(path.c_str(), mode);
  return path;
}

TEST(LinkageSecret, LoadsAPrivateFileAndStripsOneTrailingNewline) {
  TempDir dir;
  auto path = writeSecret(dir, "0123456789abcdef-long-enough\n", 0600);
  auto secret = LinkageSecret::loadFromFile(path, 3);
  EXPECT_EQ(std::string(secret.bytes().begin(), secret.bytes().end()), "0123456789abcdef-long-enough");
  EXPECT_EQ(secret.epoch(), 3u);
  EXPECT_EQ(secret.fingerprint().size(), 16u);
}

TEST(LinkageSecret, RefusesFilesOthersCanRead) {
  TempDir dir;
  auto path = writeSecret(dir, "0123456789abcdef-long-enough", 0644);
  std::string message = errorOf([&] { LinkageSecret::loadFromFile(path, 1); });
  EXPECT_NE(message.find("accessible by group or others (mode 0644)"), std::string::npos) << message;
  EXPECT_EQ(message.find("0123456789abcdef"), std::string::npos) << "the error must not contain the secret";
  chmod(path.c_str(), 0640);
  EXPECT_NE(errorOf([&] { LinkageSecret::loadFromFile(path, 1); }).find("mode 0640"), std::string::npos);
  chmod(path.c_str(), 0400);
  EXPECT_NO_THROW(LinkageSecret::loadFromFile(path, 1));
}

TEST(LinkageSecret, RefusesEmptyShortMissingAndNonRegularFiles) {
  TempDir dir;
  EXPECT_NE(errorOf([&] { LinkageSecret::loadFromFile(writeSecret(dir, "\n", 0600), 1); }).find("empty"),
            std::string::npos);
  auto shortPath = writeSecret(dir, "secret", 0600);
  EXPECT_NE(errorOf([&] { LinkageSecret::loadFromFile(shortPath, 1); }).find("shorter than 16 bytes"),
            std::string::npos);
  EXPECT_NO_THROW(LinkageSecret::loadFromFile(shortPath, 1, /*allowShort=*/true));
  EXPECT_NE(errorOf([&] { LinkageSecret::loadFromFile((dir / "missing").string(), 1); }).find("cannot open"),
            std::string::npos);
  EXPECT_NE(errorOf([&] { LinkageSecret::loadFromFile(dir.path().string(), 1); }), "(no error)");
}

TEST(LinkageSecret, FingerprintIdentifiesTheSecretWithoutRevealingIt) {
  const std::string a = "first secret value, 32 bytes....";
  const std::string b = "other secret value, 32 bytes....";
  auto sa = LinkageSecret::fromBytes({reinterpret_cast<const std::uint8_t*>(a.data()), a.size()}, 1);
  auto sa2 = LinkageSecret::fromBytes({reinterpret_cast<const std::uint8_t*>(a.data()), a.size()}, 2);
  auto sb = LinkageSecret::fromBytes({reinterpret_cast<const std::uint8_t*>(b.data()), b.size()}, 1);
  EXPECT_EQ(sa.fingerprint(), sa2.fingerprint());
  EXPECT_NE(sa.fingerprint(), sb.fingerprint());
  EXPECT_EQ(sa.fingerprint().find("first"), std::string::npos);
}

TEST(LinkageSecret, MovesKeepTheBytes) {
  const std::string a = "a secret that is long enough";
  auto secret = LinkageSecret::fromBytes({reinterpret_cast<const std::uint8_t*>(a.data()), a.size()}, 7);
  LinkageSecret moved = std::move(secret);
  EXPECT_EQ(std::string(moved.bytes().begin(), moved.bytes().end()), a);
  EXPECT_EQ(moved.epoch(), 7u);
}

}  // namespace
}  // namespace nser::linkage
