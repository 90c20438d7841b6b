// The binary entry bundle of GET /audit/entries as the auditor's client reads
// it: entries viewed in place and copied out, and truncation named.
#include "cli/audit_client.h"

#include <gtest/gtest.h>

namespace nser::cli {
namespace {

void putBigEndian(std::string& out, std::uint64_t value, int width) {
  for (int shift = 8 * (width - 1); shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xFF));
}

std::string bundleOf(const std::vector<std::pair<std::uint64_t, std::string>>& entries) {
  std::string body;
  for (const auto& [index, bytes] : entries) {
    putBigEndian(body, index, 8);
    body.append(32, static_cast<char>(index));  // a recognisable "leaf hash"
    putBigEndian(body, bytes.size(), 4);
    body.append(bytes);
  }
  return body;
}

TEST(EntryBundle, EntriesAreViewedInOrderAndCopiedOut) {
  const std::string body = bundleOf({{7, "first"}, {8, ""}, {10, std::string(300, 'z')}});
  std::vector<std::uint64_t> indexes;
  std::vector<std::string> contents;
  forEachBundleEntry(body, [&](const BundleEntry& entry) {
    indexes.push_back(entry.index);
    contents.emplace_back(entry.bytes);
    EXPECT_EQ(entry.leafHash[0], static_cast<unsigned char>(entry.index));
    EXPECT_EQ(entry.leafHash[31], static_cast<unsigned char>(entry.index));
  });
  EXPECT_EQ(indexes, (std::vector<std::uint64_t>{7, 8, 10}));
  EXPECT_EQ(contents, (std::vector<std::string>{"first", "", std::string(300, 'z')}));

  const auto copied = parseEntryBundle(body);
  ASSERT_EQ(copied.size(), 3u);
  EXPECT_EQ(copied[2].index, 10u);
  EXPECT_EQ(copied[2].bytes, std::string(300, 'z'));
  ASSERT_TRUE(copied[0].claimedLeafHash.has_value());
  EXPECT_EQ((*copied[0].claimedLeafHash)[5], 7);
  EXPECT_TRUE(parseEntryBundle("").empty());
}

TEST(EntryBundle, TruncationIsNamed) {
  const std::string body = bundleOf({{1, "one"}, {2, "two entries"}});
  try {
    parseEntryBundle(body.substr(0, body.size() - 4));
    FAIL() << "a truncated entry was accepted";
  } catch (const AuditClientError& e) {
    EXPECT_NE(std::string(e.what()).find("truncated in entry 2"), std::string::npos) << e.what();
  }
  try {
    parseEntryBundle(body.substr(0, 47 + 20));
    FAIL() << "a truncated header was accepted";
  } catch (const AuditClientError& e) {
    EXPECT_NE(std::string(e.what()).find("truncated at byte 47"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace nser::cli
