#include "protocol/sealed_attributes.h"

#include <gtest/gtest.h>
#include <sodium.h>
#include <sys/stat.h>

#include <string>

#include "pki/pki_error.h"
#include "pki/signing_key.h"
#include "protocol/ingest_batch.h"
#include "tests/support/temp_dir.h"

namespace nser::protocol {
namespace {

const std::map<std::string, std::string> kAttributes = {
    {"district", "Lahore"},
    {"disability_status", "none"},
    {"name_urdu", "\xd8\xb9\xd9\x84\xdb\x8c"},  // UTF-8
    {"note", "line one\nline \"two\"\t\\ \x01"},
    {"empty", ""},
};

TEST(SealedAttributes, RoundTripsToTheRecipientOnly) {
  const BoxKeyPair recipient = BoxKeyPair::generate();
  const std::string sealed = sealAttributes(kAttributes, recipient.publicKeyBase64());
  EXPECT_EQ(sealed.find("Lahore"), std::string::npos);
  EXPECT_EQ(openAttributes(sealed, recipient), kAttributes);
  // Sealing is randomised (ephemeral sender key): the same values never give the same bytes.
  EXPECT_NE(sealAttributes(kAttributes, recipient.publicKeyBase64()), sealed);
  EXPECT_TRUE(openAttributes(sealAttributes({}, recipient.publicKeyBase64()), recipient).empty());
}

TEST(SealedAttributes, WrongKeyIsRefused) {
  const BoxKeyPair recipient = BoxKeyPair::generate();
  const BoxKeyPair other = BoxKeyPair::generate();
  const std::string sealed = sealAttributes(kAttributes, recipient.publicKeyBase64());
  EXPECT_THROW(openAttributes(sealed, other), ProtocolError);
}

TEST(SealedAttributes, AnyTamperingIsRefused) {
  const BoxKeyPair recipient = BoxKeyPair::generate();
  const std::string sealed = sealAttributes({{"district", "Lahore"}}, recipient.publicKeyBase64());
  const std::optional<std::string> raw = pki::fromBase64(sealed);
  ASSERT_TRUE(raw.has_value());
  for (std::size_t i = 0; i < raw->size(); ++i) {
    std::string tampered = *raw;
    tampered[i] = static_cast<char>(tampered[i] ^ 0x04);
    EXPECT_THROW(openAttributes(pki::toBase64(tampered), recipient), ProtocolError) << "byte " << i;
  }
  EXPECT_THROW(openAttributes(pki::toBase64(raw->substr(0, raw->size() - 1)), recipient), ProtocolError);
  EXPECT_THROW(openAttributes(pki::toBase64(*raw + "x"), recipient), ProtocolError);
  EXPECT_THROW(openAttributes("", recipient), ProtocolError);
  EXPECT_THROW(openAttributes("not base64!", recipient), ProtocolError);
  EXPECT_THROW(openAttributes(std::string(kMaxSealedBytes * 2, 'A'), recipient), ProtocolError);
}

TEST(SealedAttributes, PlaintextIsTheCanonicalJsonObject) {
  EXPECT_EQ(canonicalAttributesJson({{"b", "2"}, {"a", "x\"y\\z\n\x1f"}}), R"({"a":"x\"y\\z\n\u001f","b":"2"})");
  EXPECT_EQ(canonicalAttributesJson({}), "{}");
}

TEST(SealedAttributes, BadRecipientKeysAndNonUtf8AreRefusedWithoutQuotingValues) {
  EXPECT_THROW(sealAttributes(kAttributes, "AAAA"), ProtocolError);
  EXPECT_THROW(sealAttributes(kAttributes, "not base64"), ProtocolError);
  const BoxKeyPair recipient = BoxKeyPair::generate();
  try {
    sealAttributes({{"name", "secret\xff"}}, recipient.publicKeyBase64());
    FAIL() << "invalid UTF-8 was sealed";
  } catch (const ProtocolError& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("'name'"), std::string::npos) << message;
    EXPECT_EQ(message.find("secret"), std::string::npos) << message;
  }
  // Overlong encodings and surrogates are not UTF-8 either.
  EXPECT_THROW(sealAttributes({{"x", "\xc0\xaf"}}, recipient.publicKeyBase64()), ProtocolError);
  EXPECT_THROW(sealAttributes({{"x", "\xed\xa0\x80"}}, recipient.publicKeyBase64()), ProtocolError);
}

TEST(SealedAttributes, PayloadThatIsNotAnObjectOfStringsIsRefused) {
  const BoxKeyPair recipient = BoxKeyPair::generate();
  // Seal by hand (as a misbehaving custodian could) to test the opener's parsing.
  auto sealRaw = [&](const std::string& plaintext) {
    std::string sealed(plaintext.size() + crypto_box_SEALBYTES, '\0');
    crypto_box_seal(reinterpret_cast<unsigned char*>(sealed.data()),
                    reinterpret_cast<const unsigned char*>(plaintext.data()), plaintext.size(),
                    recipient.publicKey().data());
    return pki::toBase64(sealed);
  };
  EXPECT_EQ(openAttributes(sealRaw(R"({"a":"1"})"), recipient), (std::map<std::string, std::string>{{"a", "1"}}));
  EXPECT_THROW(openAttributes(sealRaw(R"({"a":1})"), recipient), ProtocolError);
  EXPECT_THROW(openAttributes(sealRaw(R"(["a"])"), recipient), ProtocolError);
  EXPECT_THROW(openAttributes(sealRaw("{"), recipient), ProtocolError);
}

TEST(BoxKeyPair, LoadOrCreatePersistsTheKeyPrivately) {
  nser::testing::TempDir dir;
  const auto file = dir / "keys" / "box.key";
  const BoxKeyPair created = BoxKeyPair::loadOrCreate(file);
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);
  const BoxKeyPair loaded = BoxKeyPair::loadOrCreate(file);
  EXPECT_EQ(loaded.publicKeyBase64(), created.publicKeyBase64());
  EXPECT_EQ(openAttributes(sealAttributes(kAttributes, created.publicKeyBase64()), loaded), kAttributes);
  ASSERT_EQ(::chmod(file.c_str(), 0644), 0);
  EXPECT_THROW(BoxKeyPair::load(file), pki::PkiError);
  // A signing key file is not a box key file.
  const auto signing = dir / "signing.key";
  pki::SigningKey::loadOrCreate(signing);
  EXPECT_THROW(BoxKeyPair::load(signing), pki::PkiError);
}

}  // namespace
}  // namespace nser::protocol
