#include "linkage/blocking_token_keys.h"

#include <gtest/gtest.h>

#include <set>

#include "tests/linkage/blocking_test_records.h"

namespace nser::linkage {
namespace {

using blocking_test::token;

std::vector<std::uint64_t> keysOf(const TokenBlockSettings& settings, const std::vector<KeyedToken>& tokens,
                                  std::uint64_t salt = 5) {
  std::vector<std::uint64_t> out;
  appendTokenBlockKeys(settings, tokens, salt, out);
  return out;
}

bool share(const std::vector<std::uint64_t>& a, const std::vector<std::uint64_t>& b) {
  for (auto x : a) {
    if (std::find(b.begin(), b.end(), x) != b.end()) return true;
  }
  return false;
}

TEST(TokenBlockKeys, OneKeyPerTokenOfASingleKind) {
  TokenBlockSettings cnic{{TokenKind::CnicDeletion}, 64};
  std::vector<KeyedToken> tokens;
  for (int i = 0; i < 13; ++i) tokens.push_back(token(TokenKind::CnicDeletion, 100 + i));
  tokens.push_back(token(TokenKind::BirthYear, 1980));
  auto keys = keysOf(cnic, tokens);
  EXPECT_EQ(keys.size(), 13u);
  EXPECT_EQ(std::set<std::uint64_t>(keys.begin(), keys.end()).size(), 13u);
  EXPECT_TRUE(share(keys, keysOf(cnic, {token(TokenKind::CnicDeletion, 107)})));
  EXPECT_FALSE(share(keys, keysOf(cnic, {token(TokenKind::CnicDeletion, 200)})));
  EXPECT_TRUE(keysOf(cnic, {token(TokenKind::Cnic, 107)}).empty()) << "other kinds give no key";
}

TEST(TokenBlockKeys, CombinedKeysNeedEveryKind) {
  TokenBlockSettings nameYear{{TokenKind::NamePhonetic, TokenKind::BirthYear}, 64};
  auto both = keysOf(nameYear, {token(TokenKind::NamePhonetic, 1), token(TokenKind::BirthYear, 1980)});
  ASSERT_EQ(both.size(), 1u);
  EXPECT_EQ(both, keysOf(nameYear, {token(TokenKind::BirthYear, 1980), token(TokenKind::Phone, 3),
                                    token(TokenKind::NamePhonetic, 1)}))
      << "token order in the record does not matter";
  EXPECT_NE(both, keysOf(nameYear, {token(TokenKind::NamePhonetic, 1), token(TokenKind::BirthYear, 1981)}));
  EXPECT_NE(both, keysOf(nameYear, {token(TokenKind::NamePhonetic, 2), token(TokenKind::BirthYear, 1980)}));
  EXPECT_TRUE(keysOf(nameYear, {token(TokenKind::NamePhonetic, 1)}).empty());
  EXPECT_TRUE(keysOf(nameYear, {token(TokenKind::BirthYear, 1980)}).empty());
  TokenBlockSettings nameOnly{{TokenKind::NamePhonetic}, 64};
  EXPECT_FALSE(share(both, keysOf(nameOnly, {token(TokenKind::NamePhonetic, 1)})));
}

TEST(TokenBlockKeys, EveryCombinationUpToTheCap) {
  TokenBlockSettings nameYear{{TokenKind::NamePhonetic, TokenKind::BirthYear}, 64};
  std::vector<KeyedToken> tokens = {token(TokenKind::NamePhonetic, 1), token(TokenKind::NamePhonetic, 2),
                                    token(TokenKind::NamePhonetic, 3), token(TokenKind::BirthYear, 1980),
                                    token(TokenKind::BirthYear, 1981)};
  auto keys = keysOf(nameYear, tokens);
  EXPECT_EQ(std::set<std::uint64_t>(keys.begin(), keys.end()).size(), 6u);
  EXPECT_TRUE(share(keys, keysOf(nameYear, {token(TokenKind::NamePhonetic, 3), token(TokenKind::BirthYear, 1981)})));

  nameYear.maxKeysPerRecord = 4;
  std::vector<std::uint64_t> out;
  auto outcome = appendTokenBlockKeys(nameYear, tokens, 5, out);
  EXPECT_EQ(outcome.appended, 4u);
  EXPECT_TRUE(outcome.truncated);
  nameYear.maxKeysPerRecord = 6;
  out.clear();
  outcome = appendTokenBlockKeys(nameYear, tokens, 5, out);
  EXPECT_EQ(outcome.appended, 6u);
  EXPECT_FALSE(outcome.truncated) << "exactly the cap is not a truncation";
}

TEST(TokenBlockKeys, SaltSeparatesStrategies) {
  TokenBlockSettings phone{{TokenKind::Phone}, 64};
  EXPECT_NE(keysOf(phone, {token(TokenKind::Phone, 9)}, 1), keysOf(phone, {token(TokenKind::Phone, 9)}, 2));
}

}  // namespace
}  // namespace nser::linkage
