#include "linkage/keyed_token.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <algorithm>
#include <array>
#include <string>

namespace nser::linkage {
namespace {

LinkageSecret secretOf(const std::string& text, std::uint32_t epoch = 1) {
  return LinkageSecret::fromBytes({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()}, epoch);
}

bool shareAny(const std::vector<KeyedToken>& a, const std::vector<KeyedToken>& b) {
  for (const auto& x : a) {
    if (std::find(b.begin(), b.end(), x) != b.end()) return true;
  }
  return false;
}

TEST(KeyedToken, DeterministicPerSecretKindAndValue) {
  auto secret = secretOf("a linkage secret of good length");
  KeyedTokenizer tokenizer(secret);
  EXPECT_EQ(tokenizer.token(TokenKind::Cnic, "3520212345671"), tokenizer.token(TokenKind::Cnic, "3520212345671"));
  EXPECT_NE(tokenizer.token(TokenKind::Cnic, "3520212345671").digest,
            tokenizer.token(TokenKind::CnicDeletion, "3520212345671").digest)
      << "kinds are separate domains";
  EXPECT_NE(tokenizer.token(TokenKind::Cnic, "3520212345671"), tokenizer.token(TokenKind::Cnic, "3520212345672"));
}

TEST(KeyedToken, DifferentSecretsOrEpochsGiveUnrelatedTokens) {
  auto s1 = secretOf("a linkage secret of good length");
  auto s2 = secretOf("another secret of good length..");
  auto s1e2 = secretOf("a linkage secret of good length", 2);
  KeyedTokenizer t1(s1), t2(s2), t3(s1e2);
  EXPECT_NE(t1.token(TokenKind::Cnic, "3520212345671"), t2.token(TokenKind::Cnic, "3520212345671"));
  EXPECT_NE(t1.token(TokenKind::Cnic, "3520212345671"), t3.token(TokenKind::Cnic, "3520212345671"));
}

TEST(KeyedToken, TokenDoesNotContainTheValue) {
  auto secret = secretOf("a linkage secret of good length");
  KeyedTokenizer tokenizer(secret);
  std::string hex = tokenizer.token(TokenKind::Cnic, "3520212345671").hex();
  EXPECT_EQ(hex.size(), 32u);
  EXPECT_EQ(hex.find("35202"), std::string::npos);
}

TEST(OneDeletionNeighbourhood, RemovesEachCharacterOnceWithoutDuplicates) {
  EXPECT_EQ(oneDeletionNeighbourhood("abc"), (std::vector<std::string>{"bc", "ac", "ab"}));
  EXPECT_EQ(oneDeletionNeighbourhood("aab"), (std::vector<std::string>{"ab", "aa"}));
  EXPECT_TRUE(oneDeletionNeighbourhood("").empty());
}

TEST(KeyedToken, CnicNeighbourhoodMeetsOneDigitTyposAndTranspositions) {
  auto secret = secretOf("a linkage secret of good length");
  KeyedTokenizer tokenizer(secret);
  auto tokensOf = [&](const std::string& cnic) {
    std::vector<KeyedToken> out;
    tokenizer.appendCnicTokens(cnic, out);
    return out;
  };
  auto original = tokensOf("3520212345671");
  EXPECT_EQ(original.size(), 1u + 13u);
  EXPECT_TRUE(shareAny(original, tokensOf("3520212395671"))) << "one substituted digit";
  EXPECT_TRUE(shareAny(original, tokensOf("3520213245671"))) << "adjacent transposition";
  EXPECT_FALSE(shareAny(original, tokensOf("4210187654320"))) << "an unrelated CNIC";
  EXPECT_FALSE(shareAny(original, tokensOf("3520298745671"))) << "three digits differ";
}

// The documented construction, computed from scratch with one-shot keyed
// BLAKE2b: token = BLAKE2b-128(key = subkey, kind_byte || value). The
// tokenizer starts from a precomputed state with the key block already
// compressed; this pins that it is the same function for every length
// (including across the 64-byte single-update buffer and BLAKE2b's 128-byte
// blocks).
TEST(KeyedToken, MatchesOneShotKeyedBlake2bForEveryLength) {
  auto secret = secretOf("a linkage secret of good length");
  KeyedTokenizer tokenizer(secret);
  unsigned char subkey[32];
  secret.deriveSubkey("nser/keyed-token/v1", subkey);
  std::string value;
  for (std::size_t length = 0; length <= 300; ++length) {
    for (TokenKind kind : {TokenKind::Cnic, TokenKind::CnicDeletion, TokenKind::Phone}) {
      std::string message(1, static_cast<char>(kind));
      message += value;
      std::array<std::uint8_t, 16> expected{};
      crypto_generichash(expected.data(), expected.size(), reinterpret_cast<const unsigned char*>(message.data()),
                         message.size(), subkey, sizeof(subkey));
      ASSERT_EQ(tokenizer.token(kind, value).digest, expected) << "length " << length;
    }
    value.push_back(static_cast<char>('0' + length % 10));
  }
}

// The token computed by libsodium's one-shot keyed BLAKE2b, independently of
// the tokenizer's precomputed states.
KeyedToken oneShotToken(const LinkageSecret& secret, TokenKind kind, const std::string& value) {
  unsigned char subkey[32];
  secret.deriveSubkey("nser/keyed-token/v1", subkey);
  std::string message(1, static_cast<char>(kind));
  message += value;
  KeyedToken token;
  token.kind = kind;
  crypto_generichash(token.digest.data(), token.digest.size(), reinterpret_cast<const unsigned char*>(message.data()),
                     message.size(), subkey, sizeof(subkey));
  return token;
}

TEST(KeyedToken, CnicTokensAreTheCnicAndItsDeletionNeighbourhood) {
  auto secret = secretOf("a linkage secret of good length");
  KeyedTokenizer tokenizer(secret);
  std::vector<std::string> cnics = {"3520212345671", "1110022233344", "9", "", "0000000000000", "12"};
  // Every length around the short (16-digit) path's limit and beyond the
  // stack buffer of the long path.
  std::string digits;
  for (std::size_t length = 1; length <= 70; ++length) {
    digits.push_back(static_cast<char>('0' + (length * 7) % 10));
    cnics.push_back(digits);
  }
  for (const std::string& cnic : cnics) {
    std::vector<KeyedToken> expected{oneShotToken(secret, TokenKind::Phone, "kept")};
    expected.push_back(oneShotToken(secret, TokenKind::Cnic, cnic));
    for (const auto& deletion : oneDeletionNeighbourhood(cnic)) {
      expected.push_back(oneShotToken(secret, TokenKind::CnicDeletion, deletion));
    }
    // Appends after what is already there.
    std::vector<KeyedToken> actual{oneShotToken(secret, TokenKind::Phone, "kept")};
    tokenizer.appendCnicTokens(cnic, actual);
    EXPECT_EQ(actual, expected) << cnic;
  }
}

}  // namespace
}  // namespace nser::linkage
