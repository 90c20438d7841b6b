#include "linkage/token_frequency.h"

#include <gtest/gtest.h>

namespace nser::linkage {
namespace {

KeyedToken tokenOf(TokenKind kind, std::uint8_t value) {
  KeyedToken token;
  token.kind = kind;
  token.digest.fill(value);
  return token;
}

EncodedRecord recordWith(std::vector<KeyedToken> tokens) {
  EncodedRecord r;
  r.tokens = std::move(tokens);
  return r;
}

TEST(TokenFrequencyTable, CountsRecordsPerValueAndKind) {
  const TokenKind kinds[] = {TokenKind::NamePhonetic};
  TokenFrequencyTable table(kinds);
  const auto common = tokenOf(TokenKind::NamePhonetic, 1);
  const auto rare = tokenOf(TokenKind::NamePhonetic, 2);
  table.add(recordWith({common, common, tokenOf(TokenKind::Cnic, 1)}));  // repeated: counted once
  table.add(recordWith({common, rare}));
  table.add(recordWith({common}));
  table.add(recordWith({tokenOf(TokenKind::Cnic, 2)}));  // no phonetic token: not in the denominator
  table.finish();
  EXPECT_EQ(table.count(common), 3u);
  EXPECT_EQ(table.count(rare), 1u);
  EXPECT_EQ(table.recordsWithKind(TokenKind::NamePhonetic), 3u);
  EXPECT_DOUBLE_EQ(table.frequency(common), 1.0);
  EXPECT_DOUBLE_EQ(table.frequency(rare), 1.0 / 3.0);
  EXPECT_EQ(table.distinctTokens(), 2u);
  // Kinds not asked for are not counted.
  EXPECT_FALSE(table.counts(TokenKind::Cnic));
  EXPECT_EQ(table.count(tokenOf(TokenKind::Cnic, 1)), 0u);
  EXPECT_EQ(table.frequency(tokenOf(TokenKind::Cnic, 1)), 0.0);
  EXPECT_EQ(table.frequency(tokenOf(TokenKind::NamePhonetic, 9)), 0.0) << "never seen";
}

TEST(TokenFrequencyTable, FinishMergesBatches) {
  const TokenKind kinds[] = {TokenKind::NamePhonetic, TokenKind::BirthYear};
  TokenFrequencyTable table(kinds);
  for (int i = 0; i < 10; ++i) table.add(recordWith({tokenOf(TokenKind::NamePhonetic, static_cast<std::uint8_t>(i % 3))}));
  table.finish();
  for (int i = 0; i < 10; ++i) {
    table.add(recordWith({tokenOf(TokenKind::NamePhonetic, static_cast<std::uint8_t>(i % 5)),
                          tokenOf(TokenKind::BirthYear, 7)}));
  }
  table.finish();
  // Value 0: 4 (i%3, first batch) + 2 (i%5, second batch).
  EXPECT_EQ(table.count(tokenOf(TokenKind::NamePhonetic, 0)), 6u);
  EXPECT_EQ(table.count(tokenOf(TokenKind::NamePhonetic, 4)), 2u);
  EXPECT_EQ(table.count(tokenOf(TokenKind::BirthYear, 7)), 10u);
  EXPECT_EQ(table.recordsWithKind(TokenKind::NamePhonetic), 20u);
  EXPECT_EQ(table.distinctTokens(), 6u);
  EXPECT_DOUBLE_EQ(table.frequency(tokenOf(TokenKind::BirthYear, 7)), 1.0);
}

}  // namespace
}  // namespace nser::linkage
