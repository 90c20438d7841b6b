#include "pki/signing_key.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <string>

#include "pki/pki_error.h"
#include "tests/support/temp_dir.h"

namespace nser::pki {
namespace {

mode_t fileMode(const std::filesystem::path& path) {
  struct stat info {};
  EXPECT_EQ(::stat(path.c_str(), &info), 0) << path;
  return info.st_mode & 07777;
}

TEST(SigningKey, SignsAndVerifiesAndRejectsAnyChange) {
  const SigningKey key = SigningKey::generate();
  const std::string message = "consent c-1 purpose p-1";
  const std::string signature = key.sign(message);
  ASSERT_EQ(signature.size(), kSignatureBytes);
  EXPECT_TRUE(verifySignature(message, signature, key.publicKey()));

  std::string otherMessage = message;
  otherMessage[3] ^= 0x01;
  EXPECT_FALSE(verifySignature(otherMessage, signature, key.publicKey()));
  for (std::size_t i = 0; i < signature.size(); i += 7) {
    std::string forged = signature;
    forged[i] = static_cast<char>(forged[i] ^ 0x20);
    EXPECT_FALSE(verifySignature(message, forged, key.publicKey())) << "byte " << i;
  }
  EXPECT_FALSE(verifySignature(message, signature.substr(1), key.publicKey()));
  EXPECT_FALSE(verifySignature(message, "", key.publicKey()));
  const SigningKey other = SigningKey::generate();
  EXPECT_NE(other.publicKey(), key.publicKey());
  EXPECT_FALSE(verifySignature(message, signature, other.publicKey()));
}

TEST(SigningKey, LoadOrCreateCreatesPrivateFileAndDirectoryThenLoadsTheSameKey) {
  nser::testing::TempDir dir;
  const auto file = dir / "keys" / "signing.key";
  const SigningKey created = SigningKey::loadOrCreate(file);
  EXPECT_EQ(fileMode(file), 0600u);
  EXPECT_EQ(fileMode(file.parent_path()), 0700u);
  const SigningKey loaded = SigningKey::loadOrCreate(file);
  EXPECT_EQ(loaded.publicKey(), created.publicKey());
  const SigningKey again = SigningKey::load(file);
  EXPECT_EQ(again.publicKey(), created.publicKey());
  // A signature by the loaded key verifies under the created key's public key.
  EXPECT_TRUE(verifySignature("m", loaded.sign("m"), created.publicKey()));
  // The file holds the seed, not the public key alone, and nothing else.
  const std::string text = nser::testing::readFile(file);
  EXPECT_EQ(text.rfind("nser-ed25519-v1 ", 0), 0u);
  EXPECT_EQ(text.find(encodePublicKey(created.publicKey())), std::string::npos);
}

TEST(SigningKey, RefusesAGroupOrWorldReadableFileNamingTheFile) {
  nser::testing::TempDir dir;
  const auto file = dir / "signing.key";
  SigningKey::loadOrCreate(file);
  ASSERT_EQ(::chmod(file.c_str(), 0640), 0);
  try {
    SigningKey::load(file);
    FAIL() << "a group-readable key was accepted";
  } catch (const PkiError& error) {
    EXPECT_NE(std::string(error.what()).find(file.string()), std::string::npos) << error.what();
  }
  ASSERT_EQ(::chmod(file.c_str(), 0604), 0);
  EXPECT_THROW(SigningKey::loadOrCreate(file), PkiError);
}

TEST(SigningKey, RejectsMalformedFilesWithoutEchoingTheirContent) {
  nser::testing::TempDir dir;
  const auto file = dir / "signing.key";
  const std::string secretLooking = "nser-ed25519-v1 c2VjcmV0LXNlZWQtdG9vLXNob3J0";
  nser::testing::writeFile(file, secretLooking + "\n");
  ASSERT_EQ(::chmod(file.c_str(), 0600), 0);
  try {
    SigningKey::load(file);
    FAIL() << "a short seed was accepted";
  } catch (const PkiError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find(file.string()), std::string::npos) << message;
    EXPECT_EQ(message.find("c2VjcmV0"), std::string::npos) << message;
  }
  nser::testing::writeFile(file, "-----BEGIN PRIVATE KEY-----\n");
  EXPECT_THROW(SigningKey::load(file), PkiError);
  EXPECT_THROW(SigningKey::load(dir / "missing.key"), PkiError);
}

TEST(SigningKey, MoveTransfersTheKey) {
  SigningKey first = SigningKey::generate();
  const PublicKey publicKey = first.publicKey();
  SigningKey second = std::move(first);
  EXPECT_TRUE(verifySignature("x", second.sign("x"), publicKey));
  SigningKey third = SigningKey::generate();
  third = std::move(second);
  EXPECT_TRUE(verifySignature("y", third.sign("y"), publicKey));
}

TEST(PublicKeyEncoding, RoundTripsAndRejectsWrongLengthsAndGarbage) {
  const SigningKey key = SigningKey::generate();
  const std::string text = encodePublicKey(key.publicKey());
  EXPECT_EQ(text.size(), 44u);
  const std::optional<PublicKey> decoded = decodePublicKey(text);
  ASSERT_TRUE(decoded.has_value());
  EXPECT_EQ(*decoded, key.publicKey());
  EXPECT_FALSE(decodePublicKey("").has_value());
  EXPECT_FALSE(decodePublicKey(text.substr(0, 40)).has_value());
  EXPECT_FALSE(decodePublicKey(text + "AAAA").has_value());
  EXPECT_FALSE(decodePublicKey(text + " ").has_value());
  std::string bad = text;
  bad[5] = '!';
  EXPECT_FALSE(decodePublicKey(bad).has_value());
}

TEST(Base64, RoundTripsArbitraryBytes) {
  for (std::size_t length = 0; length < 70; ++length) {
    std::string bytes;
    for (std::size_t i = 0; i < length; ++i) bytes.push_back(static_cast<char>((i * 37 + length) & 0xFF));
    const std::optional<std::string> back = fromBase64(toBase64(bytes));
    ASSERT_TRUE(back.has_value()) << length;
    EXPECT_EQ(*back, bytes);
  }
  EXPECT_FALSE(fromBase64("abc").has_value());
}

}  // namespace
}  // namespace nser::pki
